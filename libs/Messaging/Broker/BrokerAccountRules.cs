namespace FogLens.Messaging.Broker;

/// <summary>
/// The start-up rules both brokers' settings follow (the fog's edge broker, the portal's cloud broker): an
/// embedded broker needs node passwords unless anonymous nodes are allowed explicitly; an external broker
/// needs the service's own password; every node id is valid and no secret is short or a placeholder.
/// </summary>
/// <param name="Section">Configuration section, e.g. "EdgeBroker".</param>
/// <param name="Nodes">Name of the node dictionary, e.g. "Edges".</param>
/// <param name="AllowAnonymous">Name of the development switch, e.g. "AllowAnonymousEdges".</param>
/// <param name="OwnPassword">Name of the service's own password on an external broker, e.g. "FogPassword".</param>
public sealed record BrokerAccountRules(string Section, string Nodes, string AllowAnonymous, string OwnPassword)
{
    public List<string> Check(EmbeddedBrokerOptions options, IReadOnlyDictionary<string, string> nodes, Func<string, bool> isValidId, bool allowAnonymous, Uri? external, string? ownPassword)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(isValidId);
        var problems = options.CredentialsFileProblems.Select(p => $"{Section}:{Nodes}File: {p}").ToList();
        if (options.Embedded)
        {
            if (nodes.Count == 0 && !allowAnonymous)
            {
                problems.Add($"{Section}:{Nodes} is empty: give each node a password ({Section}:{Nodes}:<id> or {Section}:{Nodes}File) or set {Section}:{AllowAnonymous}=true for development");
            }
        }
        else
        {
            if (external is not { IsAbsoluteUri: true })
            {
                problems.Add($"{Section}:External (mqtt://host:port) is required when {Section}:Embedded is false");
            }

            if (SharedSecret.Problem(ownPassword) is { } own)
            {
                problems.Add($"{Section}:{OwnPassword} {own}");
            }
        }

        foreach (var (id, password) in nodes)
        {
            if (!isValidId(id))
            {
                problems.Add($"{Section}:{Nodes}:{id}: not a valid id");
            }
            else if (SharedSecret.Problem(password) is { } problem)
            {
                problems.Add($"{Section}:{Nodes}:{id} password {problem}");
            }
        }

        return problems;
    }
}
