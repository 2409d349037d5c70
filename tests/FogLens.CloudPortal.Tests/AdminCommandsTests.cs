using FogLens.CloudPortal.Auth;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace FogLens.CloudPortal.Tests;

/// <summary><c>FogLens.CloudPortal user add</c> / <c>token ...</c>: one clear line per failure, no stack traces.</summary>
public sealed class AdminCommandsTests
{
    [Fact]
    public async Task UserAdd_WithoutTheDatabase_NamesTheFileItLookedFor_AndCreatesNothing()
    {
        var missing = Path.Combine(Directory.CreateTempSubdirectory("foglens-nodb-").FullName, "portal");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = "FogLens.CloudPortal", ContentRootPath = Path.Combine(TestPaths.RepoRoot, "cloud-portal") });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = missing,
            ["Broker:Port"] = TestBroker.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:AllowAnonymousFogs"] = "true",
        });
        builder.AddPortalServices();
        await using var app = builder.Build();
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await AdminCommands.RunAsync(app.Services, ["user", "add", "bob", "Viewer"], output, error, new StringReader("password-123\n"));

        Assert.Equal(2, code);
        var message = error.ToString().Trim();
        Assert.Single(message.Split('\n'));
        Assert.Contains(Path.Combine(missing, "portal.db"), message, StringComparison.Ordinal);
        Assert.Contains("--Portal:DataDirectory", message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(missing, "portal.db")));
    }

    [Fact]
    public async Task TokenAdd_PrintsTheTokenOnce_ListShowsItsNameOnly_BadArgumentsAreOneLine()
    {
        await using var portal = await PortalHarness.StartAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync(portal.App.Services, ["token", "add", "ci-script"], output, error, TextReader.Null));
        var token = output.ToString().Trim();
        Assert.StartsWith(ApiTokens.Prefix, token, StringComparison.Ordinal);

        using var list = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync(portal.App.Services, ["token", "list"], list, error, TextReader.Null));
        Assert.StartsWith("ci-script\tRead", list.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, list.ToString(), StringComparison.Ordinal);

        using var bad = new StringWriter();
        Assert.Equal(2, await AdminCommands.RunAsync(portal.App.Services, ["token", "add", "no spaces allowed"], TextWriter.Null, bad, TextReader.Null));
        Assert.StartsWith("error: token name", bad.ToString(), StringComparison.Ordinal);
        using var weak = new StringWriter();
        Assert.Equal(2, await AdminCommands.RunAsync(portal.App.Services, ["user", "add", "carol", "Viewer"], TextWriter.Null, weak, new StringReader("short\n")));
        Assert.StartsWith("error: password must have at least 8 characters", weak.ToString(), StringComparison.Ordinal);
    }
}
