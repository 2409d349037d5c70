using FogLens.Contracts;
using FogLens.Messaging;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Messaging;

/// <summary>
/// Refuses to start a cloud broker that any host could publish demographics to: the embedded broker needs
/// fog passwords (or the explicit development switch Broker:AllowAnonymousFogs), an external one the
/// portal's own password; no secret may be short or a placeholder such as "change-me".
/// </summary>
public sealed class BrokerOptionsValidator : IValidateOptions<BrokerOptions>
{
    public ValidateOptionsResult Validate(string? name, BrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        problems.AddRange(options.FogsFileProblems.Select(p => "Broker:FogsFile: " + p));

        if (options.Embedded)
        {
            if (options.Fogs.Count == 0 && !options.AllowAnonymousFogs)
            {
                problems.Add("Broker:Fogs is empty: give each fog a password (Broker:Fogs:<fog id>) or set Broker:AllowAnonymousFogs=true for development");
            }
        }
        else
        {
            if (options.External is not { IsAbsoluteUri: true })
            {
                problems.Add("Broker:External (mqtt://host:port) is required when Broker:Embedded is false");
            }

            if (SharedSecret.Problem(options.PortalPassword) is { } portalProblem)
            {
                problems.Add($"Broker:PortalPassword {portalProblem}");
            }
        }

        foreach (var (fog, password) in options.Fogs)
        {
            if (!NodeId.IsValid(fog))
            {
                problems.Add($"Broker:Fogs:{fog}: not a valid fog id");
            }
            else if (SharedSecret.Problem(password) is { } problem)
            {
                problems.Add($"Broker:Fogs:{fog} password {problem}");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
