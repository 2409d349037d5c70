using FogLens.Contracts;
using FogLens.Messaging.Broker;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Broker;

/// <summary>
/// Refuses to start a cloud broker that any host could publish demographics to: the embedded broker needs
/// fog passwords (or the explicit development switch Broker:AllowAnonymousFogs), an external one the
/// portal's own password; no secret may be short or a placeholder such as "change-me".
/// </summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    private static readonly BrokerAccountRules Rules = new(BrokerOptions.Section, nameof(BrokerOptions.Fogs), nameof(BrokerOptions.AllowAnonymousFogs), nameof(BrokerOptions.PortalPassword));

    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Rules.Check(options, options.Fogs, NodeId.IsValid, options.AllowAnonymousFogs, options.External, options.PortalPassword);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
