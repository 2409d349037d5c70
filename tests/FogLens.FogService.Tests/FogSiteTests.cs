using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.FogService.Common;
using FogLens.Tests.Shared.Mqtt;

namespace FogLens.FogService.Tests;

/// <summary>Fog:Site: the site a fog serves, reported in its status for the portal's site → fog → camera filters.</summary>
public sealed class FogSiteTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("North Gate")]
    [InlineData("")]
    [InlineData("site/1")]
    public void Site_DefaultsToTheDefaultSite_AndABadOneFailsAtStart(string site)
    {
        Assert.Equal(FogStatus.DefaultSite, new FogOptions().Site);
        var result = new ValidateFogOptions().Validate(null, new FogOptions { FogId = "fog-s", Site = site });
        Assert.True(result.Failed);
        Assert.Contains("Site", result.FailureMessage, StringComparison.Ordinal); // Fog:Site, or the Site field when empty
    }

    [Fact]
    public async Task Status_NamesTheConfiguredSite()
    {
        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new() { ["Fog:Site"] = "north-gate" });
        Assert.True(await cloud.WaitForAsync(m => m.Any(x => x.Topic == Topics.FogStatus("fog-t")), Timeout), "fog must publish its status");

        var status = new MessageParser().ParseFogStatus(Topics.FogStatus("fog-t"), cloud.Messages.First(x => x.Topic == Topics.FogStatus("fog-t")).Payload);
        Assert.True(status.IsSuccess, status.Error?.ToString());
        Assert.Equal("north-gate", status.Value.Site);
    }
}
