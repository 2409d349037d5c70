using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FogLens.ServiceDefaults;

/// <summary>
/// The host defaults of the three FogLens services, in one place (after eShop's ServiceDefaults): configuration from
/// prefixed environment variables below the command line, <see cref="TimeProvider"/>, health checks, and OpenTelemetry
/// metrics and traces of every <c>FogLens.*</c> meter and activity source, exported to Prometheus and, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is configured, over OTLP.
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Meters and activity sources of FogLens code are named <c>FogLens.&lt;Tier&gt;</c>.</summary>
    public const string TelemetryNames = "FogLens.*";

    /// <summary>Path of the Prometheus scrape endpoint of the web hosts.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Configuration key of the OTLP endpoint (also read from the environment variable of the same name).</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <param name="builder">The host builder.</param>
    /// <param name="serviceName">The <c>service.name</c> of the telemetry, and the name in error lines.</param>
    /// <param name="environmentPrefix">Prefix of the environment variables read as settings (e.g. <c>FOGLENS_FOG_</c>).</param>
    /// <param name="commandLine">Settings parsed from a command line by the host itself (the edge's System.CommandLine
    /// options); they override everything. Hosts whose command line is a configuration source leave it null.</param>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName, string environmentPrefix, IEnumerable<KeyValuePair<string, string?>>? commandLine = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentException.ThrowIfNullOrWhiteSpace(environmentPrefix);
        AddPrefixedEnvironment(builder.Configuration, environmentPrefix);
        if (commandLine is not null)
        {
            builder.Configuration.AddInMemoryCollection(commandLine);
        }

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHealthChecks();

        var web = builder is WebApplicationBuilder;
        var own = new OwnMeters();
        builder.Services.AddHostedService(sp =>
        {
            own.Factory = sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
            return own;
        });
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceInstanceId: telemetry.InstanceId))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TelemetryNames).AddRuntimeInstrumentation();

                // Meter listeners are process-wide: keep only the meters this host's IMeterFactory made (and the
                // unscoped runtime ones), so two hosts in one process (tests, benchmarks) do not add up each other's.
                metrics.AddView(instrument => instrument.Meter.Scope is null || own.Factory is null || ReferenceEquals(instrument.Meter.Scope, own.Factory)
                    ? null
                    : MetricStreamConfiguration.Drop);
                if (web)
                {
                    metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter(o => o.ScopeInfoEnabled = false);
                }
                else if (telemetry.PrometheusPort > 0)
                {
                    metrics.AddPrometheusHttpListener(o =>
                    {
                        o.Host = telemetry.PrometheusHost;
                        o.Port = telemetry.PrometheusPort;
                        o.ScopeInfoEnabled = false;
                    });
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(TelemetryNames);
                if (web)
                {
                    tracing.AddAspNetCoreInstrumentation(o => o.Filter = http => !IsMonitoringPath(http.Request.Path));
                }
            });
        if (!string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/healthz</c> (the process answers), <c>/readyz</c> (checks tagged "ready" pass) and the Prometheus
    /// endpoint, which answers only requests <paramref name="mayReadMetrics"/> allows (401 otherwise). Call after
    /// authentication middleware when the predicate reads the user.
    /// </summary>
    public static WebApplication MapServiceDefaults(this WebApplication app, Func<HttpContext, bool> mayReadMetrics, string? metricsChallenge = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(mayReadMetrics);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.UseWhen(
            http => http.Request.Path.Equals(MetricsPath, StringComparison.Ordinal),
            branch => branch.Use(async (http, next) =>
            {
                if (!mayReadMetrics(http))
                {
                    if (metricsChallenge is not null)
                    {
                        http.Response.Headers.WWWAuthenticate = metricsChallenge;
                    }

                    http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                await next(http);
            }));
        app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        return app;
    }

    /// <summary>Runs the host; invalid options end it with exit code 2 and one line naming the failing keys, an address
    /// already in use with exit code 1 and one line naming it.</summary>
    public static async Task<int> RunServiceAsync(this IHost host, string serviceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            await host.RunAsync(cancellationToken);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"{serviceName}: invalid configuration: {string.Join("; ", ex.Failures)}");
            return 2;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            await Console.Error.WriteLineAsync($"{serviceName}: {ex.Message} Another instance (or program) listens there: stop it, or choose another address (--urls).");
            return 1;
        }
    }

    /// <summary>
    /// Environment variables with <paramref name="prefix"/> override the settings files but not the command line: the
    /// source goes just before the command-line source (or last when there is none).
    /// </summary>
    internal static void AddPrefixedEnvironment(IConfigurationManager configuration, string prefix)
    {
        var sources = configuration.Sources;
        var commandLine = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is CommandLineConfigurationSource)
            {
                commandLine = i;
            }
        }

        var environment = new Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource { Prefix = prefix };
        if (commandLine < 0)
        {
            configuration.Add(environment);
        }
        else
        {
            sources.Insert(commandLine, environment);
        }
    }

    private static bool IsMonitoringPath(PathString path) =>
        path.StartsWithSegments("/healthz", StringComparison.Ordinal) || path.StartsWithSegments("/readyz", StringComparison.Ordinal)
        || path.StartsWithSegments(MetricsPath, StringComparison.Ordinal);
}

/// <summary>The host's own <see cref="System.Diagnostics.Metrics.IMeterFactory"/>, known once the host starts its services.</summary>
internal sealed class OwnMeters : IHostedService
{
    public System.Diagnostics.Metrics.IMeterFactory? Factory { get; set; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Telemetry settings (section <c>Telemetry</c>); OTLP itself is configured with the standard <c>OTEL_*</c> keys.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Port of the Prometheus listener of hosts without a web server (the edge agent); 0: none.</summary>
    public int PrometheusPort { get; set; }

    /// <summary>Address that listener binds (<c>localhost</c>; <c>+</c> for every interface).</summary>
    public string PrometheusHost { get; set; } = "localhost";

    /// <summary>The <c>service.instance.id</c> resource attribute (the node id); empty: chosen by the SDK.</summary>
    public string? InstanceId { get; set; }
}
