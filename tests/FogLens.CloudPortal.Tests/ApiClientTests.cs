using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using FogLens.CloudPortal.Auth;
using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;
using FogLens.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Tests;

/// <summary>The API as a client other than the pages sees it: explained errors, tokens, string enums, a described OpenAPI document.</summary>
public sealed class ApiClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task JsonLogin_WithUsernameInsteadOfName_Is400WithAnExplanation()
    {
        await using var portal = await PortalHarness.StartAsync();
        using var client = await portal.ClientAsync(null);

        var response = await client.PostAsJsonAsync("/api/auth/login", new { username = "admin", password = PortalHarness.AdminPassword }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Contains("name", problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Contains("\"name\"", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var notJson = await client.PostAsync("/api/auth/login", new StringContent("name=admin", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", notJson.Content.Headers.ContentType?.MediaType);

        var wrong = await client.PostAsJsonAsync("/api/auth/login", new { name = "admin", password = "not-the-password" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("application/problem+json", wrong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Errors_AreProblemDetails()
    {
        await using var portal = await PortalHarness.StartAsync();
        using var anonymous = await portal.ClientAsync(null);
        var unauthorized = await anonymous.GetAsync("/api/nodes", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);

        using var viewer = await portal.ClientAsync("viewer");
        var missing = await viewer.GetAsync("/api/rounds/987654", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var problem = JsonDocument.Parse(await missing.Content.ReadAsStringAsync(Ct));
        Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Contains("987654", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var forbidden = await viewer.PostAsync("/api/rounds", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("application/problem+json", forbidden.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ApiToken_ReadsWithoutACookie_IsReadOnly_AndIsStoredHashed()
    {
        await using var portal = await PortalHarness.StartAsync();
        var token = await portal.Service<ApiTokens>().CreateAsync("grafana", Ct);
        Assert.StartsWith(ApiTokens.Prefix, token, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = portal.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/nodes", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/demographics/groups", Ct)).StatusCode);

        // Read-only: no round starts, no promotions, no imports, even where a Viewer cookie would be refused for other reasons.
        var start = await client.PostAsync("/api/rounds", null, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Contains("read-only", await start.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/models/age-v1/promote", null, Ct)).StatusCode);

        // Unknown and removed tokens are refused.
        using var stranger = new HttpClient { BaseAddress = portal.BaseAddress };
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiTokens.Prefix + "not-a-real-token");
        var refused = await stranger.GetAsync("/api/nodes", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        await using (var context = portal.Service<PortalDb>().Create())
        {
            var stored = await context.ApiTokens.SingleAsync(Ct);
            Assert.Equal("grafana", stored.Name);
            Assert.DoesNotContain(token, stored.Hash, StringComparison.Ordinal);
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), stored.Hash);
        }

        Assert.True(await portal.Service<ApiTokens>().RemoveAsync("grafana", Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/nodes", Ct)).StatusCode);
    }

    [Fact]
    public async Task RoundState_IsAString_AndTheOpenApiDocumentDescribesSecurityAndOperations()
    {
        await using var portal = await PortalHarness.StartAsync();
        await using (var context = portal.Service<PortalDb>().Create())
        {
            context.Rounds.Add(new TrainingRound { Id = 41, State = RoundState.Completed, BaseVersion = "age-v1", Codec = "sbc", Participants = "fog-a", StartedAt = DateTimeOffset.UtcNow, Deadline = DateTimeOffset.UtcNow });
            await context.SaveChangesAsync(Ct);
        }

        using var viewer = await portal.ClientAsync("viewer");
        using var rounds = JsonDocument.Parse(await viewer.GetStringAsync("/api/rounds", Ct));
        var round = rounds.RootElement.EnumerateArray().Single(r => r.GetProperty("id").GetInt64() == 41);
        Assert.Equal(JsonValueKind.String, round.GetProperty("state").ValueKind);
        Assert.Equal("Completed", round.GetProperty("state").GetString());

        using var anonymous = await portal.ClientAsync(null);
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", Ct));
        var root = doc.RootElement;
        Assert.Contains("API token", root.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("cookie", schemes.GetProperty("cookie").GetProperty("in").GetString());
        Assert.Equal("bearer", schemes.GetProperty("apiToken").GetProperty("scheme").GetString());

        var nodes = root.GetProperty("paths").GetProperty("/api/nodes").GetProperty("get");
        Assert.False(string.IsNullOrEmpty(nodes.GetProperty("summary").GetString()));
        Assert.Equal(2, nodes.GetProperty("security").GetArrayLength()); // cookie or token
        var start = root.GetProperty("paths").GetProperty("/api/rounds").GetProperty("post");
        Assert.Equal(1, start.GetProperty("security").GetArrayLength()); // cookie (Admin) only
        Assert.Contains("Admin only", start.GetProperty("description").GetString(), StringComparison.Ordinal);
        var everyOperation = root.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()).ToList();
        Assert.All(everyOperation, o => Assert.True(o.Value.TryGetProperty("summary", out _), $"operation without a summary: {o.Value}"));
        Assert.Contains("\"Completed\"", root.GetProperty("components").GetProperty("schemas").GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EdgeSourceState_FromTheFogStatus_IsStoredAndServed_InNaturalOrder()
    {
        await using var portal = await PortalHarness.StartAsync();
        await using var fog = await TestFog.ConnectAsync(portal.BrokerPort, "fog-1");
        var now = DateTimeOffset.UtcNow;
        await fog.StatusAsync(edges:
        [
            new EdgeSummary("edge-10", NodeState.Online, "cam-10", 0, 0, 0, 5, 0, now, SourceState.Ended, "file:/videos/a.mp4 ended after 300 frames"),
            new EdgeSummary("edge-2", NodeState.Online, "cam-2", 0, 0, 0, 0, 0, now, SourceState.Missing, "video file '/videos/b.mp4' does not exist"),
            new EdgeSummary("edge-1", NodeState.Online, "cam-1", 12, 12, 1, 9, 0, now, SourceState.Ok),
        ]);
        using var viewer = await portal.ClientAsync("viewer");
        List<JsonElement> edges = [];
        await Eventually.WaitUntil(
            async () =>
            {
                using var nodes = JsonDocument.Parse(await viewer.GetStringAsync("/api/nodes", Ct));
                edges = [.. nodes.RootElement.EnumerateArray().Select(n => n.GetProperty("node").Clone()).Where(n => n.GetProperty("kind").GetString() == "edge")];
                return edges.Count == 3;
            },
            TimeSpan.FromSeconds(30));
        Assert.Equal(["edge-1", "edge-2", "edge-10"], edges.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(["Ok", "Missing", "Ended"], edges.Select(e => e.GetProperty("sourceState").GetString()));
        Assert.Contains("does not exist", edges[1].GetProperty("sourceProblem").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, edges[0].GetProperty("sourceProblem").ValueKind);
    }
}
