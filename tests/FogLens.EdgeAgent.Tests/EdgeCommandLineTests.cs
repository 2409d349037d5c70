using FogLens.EdgeAgent;

namespace FogLens.EdgeAgent.Tests;

public sealed class EdgeCommandLineTests
{
    [Fact]
    public async Task Options_BecomeConfigurationOverrides()
    {
        IReadOnlyDictionary<string, string?>? seen = null;
        var command = EdgeCommandLine.Create((overrides, _, _) =>
        {
            seen = overrides;
            return Task.FromResult(0);
        });

        var rc = await command.Parse(["--source", "/videos/door.mp4", "--fog", "mqtt://127.0.0.1:1884", "--edge-id", "door-1", "--loop", "--no-realtime"])
            .InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(0, rc);
        Assert.Equal("/videos/door.mp4", seen!["Edge:Source"]);
        Assert.Equal("mqtt://127.0.0.1:1884", seen["Fog:Broker"]);
        Assert.Equal("door-1", seen["Edge:EdgeId"]);
        Assert.Equal("true", seen["Edge:Loop"]);
        Assert.Equal("false", seen["Edge:RealTime"]);
    }

    [Fact]
    public async Task BadBrokerUri_IsAClearErrorAndNothingRuns()
    {
        var ran = false;
        var command = EdgeCommandLine.Create((_, _, _) =>
        {
            ran = true;
            return Task.FromResult(0);
        });
        var output = new StringWriter();
        var result = command.Parse(["--fog", "http://fog:1883", "--source", "x"]);
        Assert.Contains(result.Errors, e => e.Message.Contains("mqtt://", StringComparison.Ordinal));
        Assert.NotEqual(0, await result.InvokeAsync(new System.CommandLine.InvocationConfiguration { Error = output, Output = output }, TestContext.Current.CancellationToken));
        Assert.False(ran);
    }
}
