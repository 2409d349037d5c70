using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Tests;

/// <summary>Every options class is validated at start by its generated validator; the failure names the key.</summary>
public sealed class PortalOptionsValidationTests
{
    [Theory]
    [InlineData("Federated:Mode", "fast", "Federated:Mode must be sync or async")]
    [InlineData("Federated:Aggregator", "mean", "Federated:Aggregator must be fedavg, trimmed-mean or median")]
    [InlineData("Federated:Codec", "zip", "Federated:Codec must be")]
    [InlineData("Federated:Sparsity", "2", "Sparsity")]
    [InlineData("Database:Provider", "oracle", "Database:Provider must be sqlite or postgres")]
    [InlineData("Auth:AdminPassword", "short", "Auth:AdminPassword must have at least 8 characters")]
    [InlineData("Portal:MinFacesShown", "0", "MinFacesShown")]
    [InlineData("Ingest:MaxClockSkew", "-00:01:00", "MaxClockSkew")]
    public async Task InvalidSetting_StopsTheStart_WithTheKeyNamed(string key, string value, string expected)
    {
        var ex = await Assert.ThrowsAnyAsync<OptionsValidationException>(async () =>
        {
            await using var portal = await PortalHarness.StartAsync(new() { [key] = value });
        });
        Assert.Contains(expected, string.Join("; ", ex.Failures), StringComparison.Ordinal);
    }
}
