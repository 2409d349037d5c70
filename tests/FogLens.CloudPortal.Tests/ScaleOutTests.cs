using System.Collections.Concurrent;
using System.Net.Http.Json;
using FogLens.Contracts.Messages;
using FogLens.Launch;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using MQTTnet;
using Npgsql;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// Two portal processes on one PostgreSQL and one Mosquitto (shared subscription, coordinator leader elected through
/// an advisory lock), fogs publishing all along; the leader is SIGKILLed while a round waits for its second update.
/// </summary>
public sealed class ScaleOutTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TwoReplicas_LeaderKilledMidRound_SurvivorCompletesRoundAndEveryWindowIsStoredOnce()
    {
        var postgres = await PostgresServer.RequireAsync();
        TestPaths.RequireInstalled(MosquittoServer.Binary, "mosquitto");
        var ct = TestContext.Current.CancellationToken;
        using var folder = TempFolder.Create("foglens-scale-");
        var database = await postgres.CreateDatabaseAsync();
        string[] fogIds = ["fog-1", "fog-2", "fog-3"];
        await using var replicas = await PortalReplicas.StartAsync(
            new PortalReplicasOptions
            {
                DataDirectory = folder.Path, Replicas = 2, External = true, Fogs = fogIds, DatabaseConnection = database,
                PortalArguments = ["--Federated:MinQuorum=2", "--Federated:Deadline=00:10:00", "--Federated:LocalEpochs=1"],
            },
            _ => { },
            ct);
        var port = replicas.Broker.Port;
        var fogs = new List<TestFog>();
        foreach (var id in fogIds)
        {
            fogs.Add(await TestFog.ConnectAsync(port, id, replicas.FogPasswords[id]));
        }

        try
        {
            await fogs[0].StatusAsync(localSamples: 500);
            await fogs[1].StatusAsync(localSamples: 500);
            await Eventually.WaitUntil(async () => await ScalarAsync(database, "SELECT count(*) FROM \"Nodes\" WHERE \"Kind\" = 'fog' AND \"LocalSamples\" > 0") == 2, Patience, "both training fogs registered");
            var leader = await LeaderAsync(database);
            Assert.NotNull(leader);

            // Load: the third fog publishes windows the whole time, each with its own message id.
            var sent = new ConcurrentBag<Guid>();
            using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var load = PublishWindowsAsync(fogs[2], sent, stopLoad.Token);

            // The leader opens the round; the first fog answers at once, the second waits.
            using var admin = await SignInAsync(replicas.PortalUrls[LeaderIndex(leader)], replicas.AdminPassword);
            using (var started = await admin.PostAsync(new Uri("/api/rounds", UriKind.Relative), null, ct))
            {
                Assert.True(started.IsSuccessStatusCode, $"starting a round: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync(ct)}");
            }

            await Eventually.WaitUntil(() => !fogs[0].Tasks.IsEmpty && !fogs[1].Tasks.IsEmpty, Patience, "both fogs got the round task");
            fogs[0].Tasks.TryPeek(out var task);
            Assert.NotNull(task);
            await fogs[0].UpdateAsync(task, Updates.Encode(task.Codec, Updates.Random(1), task.Sparsity), 500);
            await Eventually.WaitUntil(async () => await ScalarAsync(database, $"SELECT count(*) FROM \"Updates\" WHERE \"RoundId\" = {task.RoundId} AND \"Status\" = 'Accepted'") == 1, Patience, "the first update stored");
            await Eventually.WaitUntil(() => sent.Count >= 20, Patience, "load running");

            // SIGKILL the leader mid-round: the survivor takes the lock and the open round.
            var dead = LeaderIndex(leader);
            await replicas.KillAsync(dead);
            var storedAtKill = await ScalarAsync(database, "SELECT count(*) FROM \"Demographics\"");
            await Eventually.WaitUntil(async () => await LeaderAsync(database) is { } next && next != leader, Patience, "a surviving replica became leader");
            var survivor = await LeaderAsync(database);
            await Eventually.WaitUntil(async () => await ScalarAsync(database, "SELECT count(*) FROM \"Demographics\"") > storedAtKill + 10, Patience, "ingestion continued on the survivor");

            // The second update arrives; the round completes on the survivor, which still holds the lock.
            await fogs[1].UpdateAsync(task, Updates.Encode(task.Codec, Updates.Random(2), task.Sparsity), 500);

            // Kubernetes restarts the killed pod with its name: messages its broker session kept are stored then.
            await replicas.RestartAsync(dead, ct);
            await Eventually.WaitUntil(async () => await ScalarAsync(database, $"SELECT count(*) FROM \"Rounds\" WHERE \"Id\" = {task.RoundId} AND \"State\" = 'Completed'") == 1, Patience, "the round completed");
            Assert.Equal(survivor, await LeaderAsync(database));
            Assert.Equal(2, await ScalarAsync(database, $"SELECT count(*) FROM \"Updates\" WHERE \"RoundId\" = {task.RoundId} AND \"Status\" = 'Accepted'"));
            Assert.Equal(1, await ScalarAsync(database, $"SELECT count(*) FROM \"Models\" WHERE \"RoundId\" = {task.RoundId}"));

            await stopLoad.CancelAsync();
            await load;
            var expected = sent.ToHashSet();
            await Eventually.WaitUntil(async () => await ScalarAsync(database, "SELECT count(*) FROM \"Demographics\"") >= expected.Count, Patience, $"all {expected.Count} windows stored");
            var stored = await MessageIdsAsync(database);
            Assert.Equal(expected.Count, stored.Count);
            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.True(expected.SetEquals(stored), "the stored windows are exactly the published ones");
        }
        finally
        {
            foreach (var fog in fogs)
            {
                await fog.DisposeAsync();
            }
        }
    }

    [Theory]
    [InlineData("portal", "$share/portal/foglens/v1/fog/+/demographics")]
    [InlineData("", "foglens/v1/fog/+/demographics")]
    [InlineData(null, "foglens/v1/fog/+/demographics")]
    public void SharedFilter_WithAndWithoutGroup_NamesTheSubscription(string? group, string expected) =>
        Assert.Equal(expected, FogLens.CloudPortal.Broker.ExternalCloudLink.SharedFilter(group, FogLens.Contracts.Topics.AllFogDemographics));

    private static async Task PublishWindowsAsync(TestFog fog, ConcurrentBag<Guid> sent, CancellationToken stop)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var window = TestFog.Window(fog.NextHeader(), "edge-" + (i % 4), start.AddSeconds(i), ("20-29", 20, 29, 5)) with { CameraId = "cam-" + (i % 4) };
            var result = await fog.DemographicsAsync(window);
            Assert.True(result.IsSuccess, $"publish refused: {result.ReasonCode}");
            sent.Add(window.Header.MessageId);
            try
            {
                await Task.Delay(25, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static int LeaderIndex(string instance) => int.Parse(instance.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) - 1;

    /// <summary>The instance id of the replica holding the coordinator's session advisory lock, or null.</summary>
    private static async Task<string?> LeaderAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            // pg_locks is cluster-wide and advisory locks are per database: other tests' portals (other databases on the
            // same server, named after the host) hold the same key at the same time.
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'foglens-portal-%' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            connection);
        return await command.ExecuteScalarAsync() is string name ? name["foglens-portal-".Length..] : null;
    }

    private static async Task<long> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<List<Guid>> MessageIdsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"MessageId\" FROM \"Demographics\"", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task<HttpClient> SignInAsync(Uri portal, string password)
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer() }) { BaseAddress = portal };
        using var response = await http.PostAsJsonAsync("/api/auth/login", new { name = "admin", password }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"login: {(int)response.StatusCode}");
        return http;
    }
}
