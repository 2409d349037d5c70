using FogLens.Contracts;
using FogLens.Messaging.Broker;
using Microsoft.Extensions.Options;

namespace FogLens.FogService.Broker;

/// <summary>
/// Refuses to start an edge broker that anyone on the camera network could use: an embedded broker needs
/// edge passwords (or the explicit development switch EdgeBroker:AllowAnonymousEdges), an external one needs
/// the fog's own password; no secret may be short or a placeholder such as "change-me".
/// </summary>
public sealed class EdgeBrokerOptionsValidator : IValidateOptions<EdgeBrokerOptions>
{
    private static readonly BrokerAccountRules Rules = new(EdgeBrokerOptions.Section, nameof(EdgeBrokerOptions.Edges), nameof(EdgeBrokerOptions.AllowAnonymousEdges), nameof(EdgeBrokerOptions.FogPassword));

    public ValidateOptionsResult Validate(string? name, EdgeBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Rules.Check(options, options.Edges, NodeId.IsValid, options.AllowAnonymousEdges, options.External, options.FogPassword);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
