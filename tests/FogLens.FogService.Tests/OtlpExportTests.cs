using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using FogLens.Contracts;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using OpenCvSharp;

namespace FogLens.FogService.Tests;

/// <summary>With an OTLP endpoint configured, the fog exports its meters and its traces there (OTLP/HTTP protobuf).</summary>
public sealed class OtlpExportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task OtlpEndpointConfigured_MetricsAndCropTracesArrive()
    {
        var port = TestBroker.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var serving = ServeAsync(collector, received);

        await using var cloud = new TestBroker();
        await cloud.StartAsync();
        await using var fog = await FogHarness.StartAsync(cloud.Uri, new()
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        var edge = await fog.ConnectEdgeAsync("edge-o");
        using var face = new Mat(96, 96, MatType.CV_8UC3, Scalar.All(128));
        Cv2.ImEncode(".jpg", face, out var jpeg);
        using var edgeSource = new ActivitySource("FogLens.Test.Edge");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == edgeSource.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        string trace;
        using (var publish = edgeSource.StartActivity("crop publish", ActivityKind.Producer))
        {
            trace = publish!.TraceId.ToString();
            Assert.True((await FogHarness.PublishCropAsync(edge, "edge-o", jpeg, DateTimeOffset.UtcNow, new MessageHeaderFactory("edge-o"))).IsSuccess);
        }

        // Protobuf writes strings as UTF-8 and the trace id as its 16 raw bytes.
        await Eventually.WaitUntil(
            () => received.Any(r => r.Path == "/v1/metrics" && Has(r.Body, Encoding.UTF8.GetBytes("foglens.fog.crops_received"))),
            Timeout, "the fog's meters exported over OTLP");
        var traceId = Convert.FromHexString(trace);
        await Eventually.WaitUntil(
            () => received.Any(r => r.Path == "/v1/traces" && Has(r.Body, Encoding.UTF8.GetBytes("crop receive")) && Has(r.Body, traceId)),
            Timeout, "the fog's receive span, in the trace the edge began, exported over OTLP");
        Assert.Contains(received, r => r.Path == "/v1/traces" && Has(r.Body, Encoding.UTF8.GetBytes("fog-service")));
        collector.Stop();
        await serving;
    }

    /// <summary>Answers 200 to every export request and keeps its path and body.</summary>
    private static async Task ServeAsync(HttpListener collector, ConcurrentQueue<(string Path, byte[] Body)> received)
    {
        while (collector.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await collector.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static bool Has(byte[] body, byte[] part) => body.AsSpan().IndexOf(part) >= 0;

}
