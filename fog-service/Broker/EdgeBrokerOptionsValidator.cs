using FogLens.Contracts;
using FogLens.Messaging;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Broker;

/// <summary>
/// Refuses to start an edge broker that anyone on the camera network could use: an embedded broker needs
/// edge passwords (or the explicit development switch EdgeBroker:AllowAnonymousEdges), an external one needs
/// the fog's own password; no secret may be short or a placeholder such as "change-me".
/// </summary>
public sealed class EdgeBrokerOptionsValidator : IValidateOptions<EdgeBrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, EdgeBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        problems.AddRange(options.EdgesFileProblems.Select(p => "EdgeBroker:EdgesFile: " + p));

        if (options.Embedded)
        {
            if (options.Edges.Count == 0 && !options.AllowAnonymousEdges)
            {
                problems.Add("EdgeBroker:Edges is empty: give each edge a password (EdgeBroker:Edges:<edge id>) or set EdgeBroker:AllowAnonymousEdges=true for development");
            }
        }
        else
        {
            if (options.External is not { IsAbsoluteUri: true })
            {
                problems.Add("EdgeBroker:External (mqtt://host:port) is required when EdgeBroker:Embedded is false");
            }

            if (SharedSecret.Problem(options.FogPassword) is { } fogProblem)
            {
                problems.Add($"EdgeBroker:FogPassword {fogProblem} (the fog's account on the external edge broker reads face crops)");
            }
        }

        foreach (var (edge, password) in options.Edges)
        {
            if (!NodeId.IsValid(edge))
            {
                problems.Add($"EdgeBroker:Edges:{edge}: not a valid edge id");
            }
            else if (SharedSecret.Problem(password) is { } problem)
            {
                problems.Add($"EdgeBroker:Edges:{edge} password {problem}");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
