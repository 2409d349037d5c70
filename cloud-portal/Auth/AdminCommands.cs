using System.Data.Common;
using FogLens.CloudPortal.Data;
using Microsoft.Extensions.Options;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal.Auth;

/// <summary>
/// The portal's command-line administration: <c>user add NAME Admin|Viewer</c> (password from $FOGLENS_PASSWORD or
/// stdin), <c>token add|list|remove [NAME]</c> and <c>ledger verify|show</c> (the contribution ledger's chain; credit per fog). Every failure is one line on stderr and a non-zero exit code,
/// never a stack trace; a missing SQLite database is named, not created behind the user's back.
/// </summary>
public static class AdminCommands
{
    /// <summary>Whether <paramref name="args"/> is an administration command rather than a server start.</summary>
    public static bool Matches(string[] args) => args is ["user", ..] or ["token", ..] or ["ledger", ..];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, TextReader input)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(input);
        var usage = "usage: FogLens.CloudPortal user add NAME Admin|Viewer | token add NAME | token list | token remove NAME | ledger verify | ledger show   [--Portal:DataDirectory=DIR]";
        if (args is not (["user", "add", _, _, ..] or ["token", "add" or "remove", _, ..] or ["token", "list", ..] or ["ledger", "verify" or "show", ..]))
        {
            await error.WriteLineAsync("error: " + usage);
            return 2;
        }

        try
        {
            if (MissingDatabase(services) is { } missing)
            {
                await error.WriteLineAsync(missing);
                return 2;
            }

            var db = services.GetRequiredService<PortalDb>();
            await db.MigrateAsync(CancellationToken.None);
            switch (args)
            {
                case ["user", "add", var name, var role, ..]:
                    var password = Environment.GetEnvironmentVariable("FOGLENS_PASSWORD") ?? await input.ReadLineAsync();
                    await services.GetRequiredService<PortalUsers>().CreateAsync(name, password ?? string.Empty, role, CancellationToken.None);
                    await output.WriteLineAsync($"user {name} saved with role {role}");
                    return 0;
                case ["token", "add", var name, ..]:
                    var token = await services.GetRequiredService<ApiTokens>().CreateAsync(name, CancellationToken.None);
                    await output.WriteLineAsync(token);
                    await error.WriteLineAsync($"API token '{name}' created (read-only). It is shown only now; send it as 'Authorization: Bearer <token>'.");
                    return 0;
                case ["ledger", "verify", ..]:
                    return await VerifyLedgerAsync(db, output, error);
                case ["ledger", "show", ..]:
                    await using (var context = db.Create())
                    {
                        var credits = await ContributionLedger.CreditByFogAsync(context, CancellationToken.None);
                        if (credits.Count == 0)
                        {
                            await output.WriteLineAsync("no contribution credit yet: no federated round has completed");
                        }

                        foreach (var c in credits)
                        {
                            await output.WriteLineAsync(FormattableString.Invariant($"{c.FogId}\t{c.Rounds} rounds\tcredit {c.Credit:F1}\tshare {c.Share * 100:F1}%\tlast round {c.LastRound}: {c.LastCredit:F1}"));
                        }
                    }

                    // Credit from a ledger that does not verify is not to be trusted: say so and fail.
                    return await VerifyLedgerAsync(db, TextWriter.Null, error);
                case ["token", "remove", var name, ..]:
                    if (!await services.GetRequiredService<ApiTokens>().RemoveAsync(name, CancellationToken.None))
                    {
                        await error.WriteLineAsync($"error: there is no API token named '{name}'");
                        return 1;
                    }

                    await output.WriteLineAsync($"API token '{name}' removed");
                    return 0;
                default:
                    foreach (var t in await services.GetRequiredService<ApiTokens>().ListAsync(CancellationToken.None))
                    {
                        await output.WriteLineAsync(FormattableString.Invariant($"{t.Name}\t{t.Scope}\tcreated {t.CreatedAt:yyyy-MM-dd HH:mm} UTC"));
                    }

                    return 0;
            }
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return 2;
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync("error: invalid configuration: " + string.Join("; ", ex.Failures));
            return 2;
        }
        catch (DbException ex)
        {
            await error.WriteLineAsync($"error: cannot use the portal database ({ex.Message.ReplaceLineEndings(" ")})");
            return 1;
        }
    }

    private static async Task<int> VerifyLedgerAsync(PortalDb db, TextWriter output, TextWriter error)
    {
        await using var context = db.Create();
        var result = await ContributionLedger.VerifyAsync(context, CancellationToken.None);
        if (result.IsIntact)
        {
            await output.WriteLineAsync($"contribution ledger intact: {result.Entries} entries, head {result.Head}");
            return 0;
        }

        await error.WriteLineAsync($"error: contribution ledger broken at entry #{result.BrokenAt}: {result.Problem}; the {result.Entries} entries before it verify (head {result.Head})");
        return 1;
    }

    /// <summary>A message naming the SQLite file when it does not exist (a typo in the data directory), else null.</summary>
    private static string? MissingDatabase(IServiceProvider services)
    {
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (database.IsPostgres || database.ConnectionString is not null)
        {
            return null;
        }

        var folder = Path.GetFullPath(services.GetRequiredService<IOptions<PortalOptions>>().Value.DataDirectory);
        var file = Path.Combine(folder, "portal.db");
        return File.Exists(file)
            ? null
            : $"error: no portal database at {file}; pass the portal's data directory with --Portal:DataDirectory=DIR (the demo's is .foglens/demo/portal, which './foglens user add' and './foglens token add' find by themselves)";
    }
}
