using System.CommandLine;

namespace FogLens.Cli;

/// <summary>Checks of option values that System.CommandLine does not make by itself, each failing with one line.</summary>
internal static class CommandLineChecks
{
    /// <summary>
    /// Refuses a value that is itself an option (<c>--source --data-dir X</c> would otherwise read "--data-dir" as
    /// the source and X as a second one, and the data directory would silently stay the default).
    /// </summary>
    public static void NoOptionAsValue(Option option) => option.Validators.Add(result =>
    {
        foreach (var token in result.Tokens)
        {
            if (token.Value.StartsWith("--", StringComparison.Ordinal))
            {
                result.AddError($"{option.Name} needs a value, but '{token.Value}' follows it, which is an option; write {option.Name} VALUE");
                return;
            }
        }
    });

    public static void Range(Option<int> option, int min, int max) => option.Validators.Add(result =>
    {
        var value = result.GetValueOrDefault<int>();
        if (value < min || value > max)
        {
            result.AddError($"{option.Name} must be between {min} and {max}; got {value}");
        }
    });
}
