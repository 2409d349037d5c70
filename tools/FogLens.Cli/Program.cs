using System.CommandLine;
using FogLens.Cli;

var root = new RootCommand("FogLens tools: demo launcher, portal users and API tokens, update codec, age model and dataset tools.")
{
    DemoCommand.Create(),
    PortalAdminCommand.CreateUser(),
    PortalAdminCommand.CreateToken(),
    PortalAdminCommand.CreateLedger(),
    AgeCommand.Create(),
    CodecCommand.Create(),
    DataCommand.Create(),
    ExperimentCommand.Create(),
    PipelineCommand.Create(),
    BenchCommand.Create(),
};

// A wrong option is one line naming it (and the help to read), not a screen of usage; an unexpected failure is
// one line too, not a stack trace.
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    var names = new List<string>();
    for (var c = parsed.CommandResult; c is not null && c.Command != root; c = c.Parent as System.CommandLine.Parsing.CommandResult)
    {
        names.Insert(0, c.Command.Name);
    }

    var command = string.Join(' ', names);
    // "Unrecognized command or argument 'x'" says more than the "Required command was not provided" it comes with.
    var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
    Console.Error.WriteLine($"foglens: error: {error.Message} ('./foglens {command}{(command.Length > 0 ? " " : string.Empty)}--help' lists the options)");
    return 2;
}

try
{
    // Ctrl-C / SIGTERM cancel the command's token; the demo then stops its tiers one by one (up to 10 s each, portal
    // last). System.CommandLine ends the process 2 s after the signal unless told otherwise, which left the portal running.
    return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromMinutes(2) });
}
catch (OperationCanceledException)
{
    return 130;
}
catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or FormatException or System.Net.Http.HttpRequestException)
{
    Console.Error.WriteLine($"foglens: error: {ex.Message}");
    return 1;
}
