using System.CommandLine;
using System.Diagnostics;
using FogLens.Launch;

namespace FogLens.Cli;

/// <summary>
/// `./foglens user add NAME [ROLE]` and `./foglens token add|list|remove`: run the portal's administration
/// commands on the demo's database (or the one under --data-dir), so nobody has to know where it lives.
/// </summary>
internal static class PortalAdminCommand
{
    public static Command CreateUser()
    {
        var dataDir = DataDirOption();
        var name = new Argument<string>("name") { Description = "User name (1-64 characters)." };
        var role = new Argument<string>("role") { Description = "Admin or Viewer.", DefaultValueFactory = _ => "Viewer" };
        role.AcceptOnlyFromAmong("Admin", "Viewer");
        var add = new Command("add", "Add a portal user or change its password and role (password from $FOGLENS_PASSWORD, or typed on stdin).") { name, role, dataDir };
        add.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["user", "add", result.GetRequiredValue(name), result.GetRequiredValue(role)], token));
        return new Command("user", "Portal users of the demo (or of --data-dir).") { add };
    }

    public static Command CreateToken()
    {
        var dataDir = DataDirOption();
        var name = new Argument<string>("name") { Description = "What uses the token, e.g. grafana (letters, digits, '-', '_', '.')." };
        var add = new Command("add", "Create a read-only API token (printed once; send it as 'Authorization: Bearer TOKEN'). An existing token of that name is replaced.") { name, dataDir };
        add.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["token", "add", result.GetRequiredValue(name)], token));
        var removeName = new Argument<string>("name") { Description = "The token to remove." };
        var remove = new Command("remove", "Remove an API token (clients using it get 401 at once).") { removeName, dataDir };
        remove.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["token", "remove", result.GetRequiredValue(removeName)], token));
        var list = new Command("list", "List the API tokens (names and dates; the tokens themselves are not stored).") { dataDir };
        list.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["token", "list"], token));
        return new Command("token", "Read-only API tokens for scripts and dashboards (the demo's portal, or --data-dir).") { add, list, remove };
    }

    public static Command CreateLedger()
    {
        var dataDir = DataDirOption();
        var verify = new Command("verify", "Check the contribution ledger's hash chain; exit code 1 names the first entry that was edited, inserted or removed.") { dataDir };
        verify.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["ledger", "verify"], token));
        var show = new Command("show", "Cumulative contribution credit per fog.") { dataDir };
        show.SetAction((result, token) => RunPortalAsync(result.GetRequiredValue(dataDir), ["ledger", "show"], token));
        return new Command("ledger", "The federated rounds' contribution ledger (the demo's portal, or --data-dir).") { verify, show };
    }

    private static Option<DirectoryInfo> DataDirOption()
    {
        var option = new Option<DirectoryInfo>("--data-dir")
        {
            Description = "The demo's data directory (the one given to './foglens demo --data-dir'); the portal's database is in its portal/ folder.",
            DefaultValueFactory = _ => new DirectoryInfo(DemoCommand.DefaultDataDirectory),
        };
        CommandLineChecks.NoOptionAsValue(option);
        return option;
    }

    private static async Task<int> RunPortalAsync(DirectoryInfo dataDir, string[] arguments, CancellationToken cancellationToken)
    {
        var portalData = Path.Combine(dataDir.FullName, "portal");
        if (!File.Exists(Path.Combine(portalData, "portal.db")))
        {
            var why = Directory.Exists(Path.Combine(dataDir.FullName, "postgres"))
                ? "the demo there ran with --external (PostgreSQL); run the portal's own 'user add' / 'token add' with its Database:* settings"
                : "no demo has run there yet: start './foglens demo' once (or pass the --data-dir you gave the demo)";
            await Console.Error.WriteLineAsync($"foglens: error: no portal database in {portalData}; {why}");
            return 2;
        }

        var dll = RepoLayout.Deployable("cloud-portal", "FogLens.CloudPortal");
        if (!File.Exists(dll))
        {
            await Console.Error.WriteLineAsync($"foglens: error: the cloud portal is not built ({dll}); run ./foglens setup");
            return 2;
        }

        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        foreach (var a in (string[])[dll, .. arguments, $"--Portal:DataDirectory={portalData}", "--Logging:LogLevel:Default=Warning"])
        {
            info.ArgumentList.Add(a);
        }

        // stdin, stdout and stderr are this terminal's: the password prompt and the printed token reach the user.
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode;
    }
}
