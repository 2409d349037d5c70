using System.Data.Common;
using System.Net.Http.Json;
using System.Numerics.Tensors;
using System.Text.Json;
using FogLens.CloudPortal.Auth;
using FogLens.CloudPortal.Common;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Rounds;
using FogLens.Compression;
using FogLens.Federated;
using FogLens.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Tests;

/// <summary>The contribution ledger: credit from a real round, append-only storage, and a chain that exposes edits.</summary>
public sealed class ContributionLedgerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A shared direction plus a fog's own noise, as real local updates on similar data look; optionally scaled (−4: sign
    /// flipped). The shared part leans positive so that SBC's binarisation picks the same sign for every honest fog
    /// (with a symmetric direction each fog's choice is a coin toss per round, and only cumulative credit is fair).
    /// </summary>
    private static UpdateTensor[] Update(int noiseSeed, float factor = 1)
    {
        var shared = Updates.Random(11, 1e-3f);
        var noise = Updates.Random(noiseSeed, 4e-4f);
        return [.. shared.Select((t, i) =>
        {
            var values = new float[t.Values.Length];
            TensorPrimitives.Abs(t.Values.Span, values);
            TensorPrimitives.Add(values, noise[i].Values.Span, values);
            TensorPrimitives.Multiply(values, factor, values);
            return t with { Values = values };
        })];
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Round_CreditsHonestFogsByTheirData_NothingToASignFlipperFourTimesTheirNorm_AndVerifyExposesAnEditedEntry(string provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var postgres = provider == "postgres" ? await (await PostgresServer.RequireAsync()).CreateDatabaseAsync() : null;
        await using var portal = await PortalHarness.StartAsync(postgres: postgres);
        await using var a = await TestFog.ConnectAsync(portal.BrokerPort, "fog-a");
        await using var b = await TestFog.ConnectAsync(portal.BrokerPort, "fog-b");
        await using var c = await TestFog.ConnectAsync(portal.BrokerPort, "fog-c");
        await using var d = await TestFog.ConnectAsync(portal.BrokerPort, "fog-d");
        await a.StatusAsync(localSamples: 300);
        await b.StatusAsync(localSamples: 100);
        await c.StatusAsync(localSamples: 100);
        await d.StatusAsync(localSamples: 100);
        await Eventually.WaitUntil(() => portal.Service<PortalCounters>().StatusMessages >= 4, Wait, "fog status stored");
        using var admin = await portal.ClientAsync("admin");
        Assert.True((await admin.PostAsync("/api/rounds", null, ct)).IsSuccessStatusCode);
        await Eventually.WaitUntil(() => !a.Tasks.IsEmpty && !b.Tasks.IsEmpty && !c.Tasks.IsEmpty && !d.Tasks.IsEmpty, Wait, "round task received");
        Assert.True(a.Tasks.TryPeek(out var task));

        Assert.True((await a.UpdateAsync(task, Updates.Encode(task.Codec, Update(21)), 300)).IsSuccess);
        Assert.True((await b.UpdateAsync(task, Updates.Encode(task.Codec, Update(22)), 100)).IsSuccess);
        Assert.True((await c.UpdateAsync(task, Updates.Encode(task.Codec, Update(23, -4)), 100)).IsSuccess);
        Assert.True((await d.UpdateAsync(task, Updates.Encode(task.Codec, Update(24)), 100)).IsSuccess);
        var db = portal.Service<PortalDb>();
        await Eventually.WaitUntil(async () =>
        {
            await using var context = db.Create();
            return await context.Ledger.CountAsync(ct) == 4;
        }, Wait, "four ledger entries after the round");

        List<ContributionEntry> entries;
        await using (var context = db.Create())
        {
            entries = await context.Ledger.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(ct);
        }

        Assert.Equal([1L, 2L, 3L, 4L], entries.Select(e => e.Sequence));
        Assert.Equal(["fog-a", "fog-b", "fog-c", "fog-d"], entries.Select(e => e.FogId));
        Assert.All(entries, e => Assert.Equal(task.RoundId, e.RoundId));
        var (ea, eb, ec) = (entries[0], entries[1], entries[2]);
        Assert.True(ea.Alignment > 0.05 && eb.Alignment > 0.05, $"honest alignments {ea.Alignment:F3}, {eb.Alignment:F3}");
        Assert.True(ec.Alignment < 0, $"the sign flipper points away from the others: {ec.Alignment:F3}");
        Assert.InRange(ea.Credit / eb.Credit, 3 * 0.8, 3 * 1.2); // three times the data, about three times the credit
        Assert.Equal(0, ec.Credit);

        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(0, await AdminCommands.RunAsync(portal.App.Services, ["ledger", "verify"], output, error, TextReader.Null));
        Assert.Contains($"intact: 4 entries, head {entries[3].Hash}", output.ToString(), StringComparison.Ordinal);

        // The database refuses to change a ledger row ...
        await using (var context = db.Create())
        {
            await Assert.ThrowsAnyAsync<DbException>(() => context.Database.ExecuteSqlRawAsync("UPDATE \"ContributionLedger\" SET \"Credit\" = 1000000 WHERE \"Sequence\" = 3", ct));
            await Assert.ThrowsAnyAsync<DbException>(() => context.Database.ExecuteSqlRawAsync("DELETE FROM \"ContributionLedger\" WHERE \"Sequence\" = 1", ct));

            // ... and someone who drops the guard and gives the attacker credit is found by verify.
            await context.Database.ExecuteSqlRawAsync(provider == "postgres" ? "DROP TRIGGER \"ContributionLedger_append_only\" ON \"ContributionLedger\"" : "DROP TRIGGER \"ContributionLedger_no_update\"", ct);
            Assert.Equal(1, await context.Database.ExecuteSqlRawAsync("UPDATE \"ContributionLedger\" SET \"Credit\" = 1000000 WHERE \"Sequence\" = 3", ct));
        }

        using var broken = new StringWriter();
        Assert.Equal(1, await AdminCommands.RunAsync(portal.App.Services, ["ledger", "verify"], TextWriter.Null, broken, TextReader.Null));
        Assert.Contains("broken at entry #3: its contents do not match its hash", broken.ToString(), StringComparison.Ordinal);
        using var viewer = await portal.ClientAsync("viewer");
        var api = await viewer.GetFromJsonAsync<JsonElement>("/api/contributions", ct);
        Assert.False(api.GetProperty("ledger").GetProperty("isIntact").GetBoolean());
        Assert.Equal(3, api.GetProperty("ledger").GetProperty("brokenAt").GetInt64());
    }

    [Fact]
    public async Task Verify_FindsARemovedRow_AndARowRewrittenWithAFreshHash()
    {
        // Removed: the sequence has a gap.
        using (var folder = TempFolder.Create("foglens-ledger-"))
        {
            var db = await LedgerWithTwoRoundsAsync(folder.Path);
            await using var context = db.Create();
            Assert.True((await ContributionLedger.VerifyAsync(context, TestContext.Current.CancellationToken)).IsIntact);
            await context.Database.ExecuteSqlRawAsync("DROP TRIGGER \"ContributionLedger_no_delete\"", TestContext.Current.CancellationToken);
            await context.Database.ExecuteSqlRawAsync("DELETE FROM \"ContributionLedger\" WHERE \"Sequence\" = 2", TestContext.Current.CancellationToken);
            var result = await ContributionLedger.VerifyAsync(context, TestContext.Current.CancellationToken);
            Assert.Equal((3L, 1L), (result.BrokenAt, result.Entries));
            Assert.Contains("removed or inserted", result.Problem, StringComparison.Ordinal);
        }

        // Rewritten consistently (new credit, hash recomputed): the next row's link breaks.
        using (var folder = TempFolder.Create("foglens-ledger-"))
        {
            var db = await LedgerWithTwoRoundsAsync(folder.Path);
            await using var context = db.Create();
            await context.Database.ExecuteSqlRawAsync("DROP TRIGGER \"ContributionLedger_no_update\"", TestContext.Current.CancellationToken);
            var row = await context.Ledger.SingleAsync(e => e.Sequence == 2, TestContext.Current.CancellationToken);
            row.Credit *= 10;
            row.Hash = ContributionLedger.ComputeHash(row);
            await context.SaveChangesAsync(TestContext.Current.CancellationToken);
            var result = await ContributionLedger.VerifyAsync(context, TestContext.Current.CancellationToken);
            Assert.Equal(3L, result.BrokenAt);
            Assert.Contains("previous-hash does not match", result.Problem, StringComparison.Ordinal);
        }
    }

    private static async Task<PortalDb> LedgerWithTwoRoundsAsync(string folder)
    {
        var db = new PortalDb(Options.Create(new DatabaseOptions()), Options.Create(new PortalOptions { DataDirectory = folder }));
        await db.MigrateAsync(TestContext.Current.CancellationToken);
        await using var context = db.Create();
        var at = DateTimeOffset.Parse("2026-12-01T10:00:00.123456Z", System.Globalization.CultureInfo.InvariantCulture);
        await ContributionLedger.AppendAsync(context, 1, [new("fog-a", 300, 0.8, 1, 1, 300), new("fog-b", 100, 0.7, 0.875, 1, 87.5)], at, TestContext.Current.CancellationToken);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        await ContributionLedger.AppendAsync(context, 2, [new("fog-b", 100, 0.75, 1, 1, 100), new("fog-a", 300, 0.81, 1, 1, 300)], at.AddMinutes(1), TestContext.Current.CancellationToken);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        var rows = await context.Ledger.AsNoTracking().OrderBy(e => e.Sequence).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["fog-a", "fog-b", "fog-a", "fog-b"], rows.Select(r => r.FogId));
        Assert.Equal(ContributionLedger.Genesis, rows[0].PreviousHash);
        Assert.Equal(rows[2].Hash, rows[3].PreviousHash);
        return db;
    }
}
