using FogLens.CloudPortal.Rounds;
using FogLens.CloudPortal.Broker;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal;

// Validators generated at compile time from each options class's data annotations (and IValidatableObject
// rules), registered with ValidateOnStart: a bad setting stops the portal at start with the key named (exit 2).

[OptionsValidator]
public sealed partial class ValidatePortalOptions : IValidateOptions<PortalOptions>;

[OptionsValidator]
public sealed partial class ValidateDatabaseOptions : IValidateOptions<DatabaseOptions>;

[OptionsValidator]
public sealed partial class ValidateBrokerOptions : IValidateOptions<BrokerOptions>;

[OptionsValidator]
public sealed partial class ValidateIngestOptions : IValidateOptions<IngestOptions>;

[OptionsValidator]
public sealed partial class ValidateAuthOptions : IValidateOptions<AuthOptions>;

[OptionsValidator]
public sealed partial class ValidateCoordinatorOptions : IValidateOptions<CoordinatorOptions>;

/// <summary>Binds a section and validates it at start with its generated validator.</summary>
internal static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
