using FogLens.CloudPortal.Api;
using FogLens.CloudPortal.Auth;
using FogLens.CloudPortal.Components;
using FogLens.CloudPortal.Data;
using FogLens.CloudPortal.Rounds;
using FogLens.CloudPortal.Broker;
using FogLens.CloudPortal.Cluster;
using FogLens.CloudPortal.Retention;
using FogLens.Contracts;
using FogLens.Messaging.Inbound;
using FogLens.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using FogLens.CloudPortal.Common;

namespace FogLens.CloudPortal;

/// <summary>Service registration and endpoint mapping of the cloud portal (used by Program and the tests).</summary>
public static class PortalHost
{
    /// <summary>Prefix of the environment variables read as settings.</summary>
    public const string EnvironmentPrefix = "FOGLENS_PORTAL_";

    public static WebApplicationBuilder AddPortalServices(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddServiceDefaults("cloud-portal", EnvironmentPrefix);
        var services = builder.Services;
        var config = builder.Configuration;

        // Serve framework and package assets (blazor.web.js, MudBlazor) from the build output in every
        // environment, not only Development; a published app has them in wwwroot and no manifest, so this is a no-op there.
        builder.WebHost.UseStaticWebAssets();
        services.AddValidatedOptions<PortalOptions, ValidatePortalOptions>(PortalOptions.Section);
        services.AddValidatedOptions<DatabaseOptions, ValidateDatabaseOptions>(DatabaseOptions.Section);
        services.AddValidatedOptions<BrokerOptions, ValidateBrokerOptions>(BrokerOptions.Section).PostConfigure(o => o.LoadFogsFile());
        services.AddSingleton<IValidateOptions<BrokerOptions>, BrokerOptionsValidator>(); // accounts: passwords, placeholders, open brokers
        services.AddValidatedOptions<IngestOptions, ValidateIngestOptions>(IngestOptions.Section);
        services.AddValidatedOptions<AuthOptions, ValidateAuthOptions>(AuthOptions.Section);
        services.AddValidatedOptions<CoordinatorOptions, ValidateCoordinatorOptions>(CoordinatorOptions.Section);
        services.AddSingleton<NodeAccess>();
        services.AddSingleton<LoginThrottle>();

        services.AddSingleton(new MessageHeaderFactory("portal"));
        services.AddSingleton<PortalDb>();
        services.AddSingleton<PortalQueries>();
        services.AddSingleton<ActivityQueries>();
        services.AddSingleton<PortalCounters>();
        services.AddInstruments<PortalInstruments>();
        services.AddSingleton<PortalEvents>();
        services.AddSingleton<PortalUsers>();
        services.AddSingleton<PublicAddress>();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ModelEvaluation>();
        services.AddSingleton<UpdatePayloadStore>();
        services.AddSingleton<UpdateInspector>();
        services.AddSingleton<RoundAggregator>();
        services.AddSingleton<RoundTaskPublisher>();
        services.AddSingleton<FederatedCoordinator>();
        services.AddSingleton<RoundScheduler>();
        services.AddSingleton<LeaderElection>();
        services.AddHostedService<DatabaseStartup>();

        // Messages flow one way. In: the transport hands each fog message to the dispatcher, which calls the
        // handler registered for its topic kind. Out: the coordinator and the registry publish through ICloudBus,
        // which is the transport chosen here, once: the embedded broker or the session on an external one.
        services.AddSingleton<InboundDispatcher, PortalInboundDispatcher>();
        services.AddSingleton<IngestRefusals>();
        services.AddSingleton<WindowBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WindowBatcher>());
        services.AddInboundHandler<DemographicsIngest>(TopicKind.FogDemographics);
        services.AddInboundHandler<DemographicsIngest>(TopicKind.FogLateDemographics);
        services.AddInboundHandler<FogStatusIngest>(TopicKind.FogStatus);
        services.AddInboundHandler<RoundUpdateIngest>(TopicKind.RoundUpdate);
        if (config.GetSection(BrokerOptions.Section).GetValue(nameof(BrokerOptions.Embedded), new BrokerOptions().Embedded))
        {
            services.AddSingleton<CloudBroker>();
            services.AddSingleton<ICloudBus>(sp => sp.GetRequiredService<CloudBroker>());
            services.AddHostedService(sp => sp.GetRequiredService<CloudBroker>());
        }
        else
        {
            services.AddSingleton<ExternalCloudLink>();
            services.AddSingleton<ICloudBus>(sp => sp.GetRequiredService<ExternalCloudLink>());
            services.AddHostedService(sp => sp.GetRequiredService<ExternalCloudLink>());
        }

        // One replica coordinates rounds: the holder of a PostgreSQL advisory lock (on SQLite, this one).
        services.AddHostedService(sp => sp.GetRequiredService<LeaderElection>());
        services.AddHostedService(sp => sp.GetRequiredService<RoundScheduler>());
        services.AddSingleton<DemographicsRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<DemographicsRetention>());

        // Sign-in cookies stay valid across restarts: the data-protection keys live with the portal's data. On
        // PostgreSQL that is the database, which every replica shares, so a cookie written by one replica is read by all.
        var dataDirectory = Path.GetFullPath(config.GetSection(PortalOptions.Section)[nameof(PortalOptions.DataDirectory)] ?? new PortalOptions().DataDirectory);
        var protection = services.AddDataProtection().SetApplicationName("FogLens.CloudPortal");
        if (config.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() is { IsPostgres: true })
        {
            services.AddScoped<PortalDbContext>(sp => sp.GetRequiredService<PortalDb>().Create());
            protection.PersistKeysToDbContext<PortalDbContext>();
        }
        else
        {
            protection.PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        }

        var portalSection = config.GetSection(PortalOptions.Section);
        var behindProxy = portalSection.GetValue<bool>(nameof(PortalOptions.BehindTlsProxy));
        if (behindProxy)
        {
            var proxies = portalSection.GetSection(nameof(PortalOptions.TrustedProxies)).Get<string[]>() ?? ["127.0.0.1", "::1"];
            services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o =>
            {
                o.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                o.KnownProxies.Clear();
                foreach (var proxy in proxies)
                {
                    o.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
                }
            });
            services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(180));
        }

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.LoginPath = "/login";
            o.AccessDeniedPath = "/denied";
            o.Cookie.Name = "foglens.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = behindProxy ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ValidateStampAsync;
            o.Events.OnRedirectToLogin = ctx => ApiStatus(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiStatus(ctx, StatusCodes.Status403Forbidden);
        });
        services.AddAuthorizationBuilder().AddPolicy(PortalRoles.AdminPolicy, p => p.RequireRole(PortalRoles.Admin));
        services.AddCascadingAuthenticationState();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, StampRevalidatingStateProvider>();
        services.AddHttpContextAccessor();
        services.AddHealthChecks().AddCheck<PortalReadiness>("portal", tags: ["ready"]);
        services.AddOpenApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        services.AddPortalApiClients(); // after AddAuthentication: makes cookie-or-token the default scheme
        return builder;
    }

    public static WebApplication MapPortalEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UsePortalApiErrors();
        if (app.Services.GetRequiredService<IOptions<PortalOptions>>().Value.BehindTlsProxy)
        {
            app.UseForwardedHeaders(); // before anything reads the client address (login throttle) or the scheme
            app.UseHsts();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        var access = app.Services.GetRequiredService<NodeAccess>();
        app.MapServiceDefaults(access.MayReadMetrics, "Bearer realm=\"foglens-metrics\"");
        app.MapOpenApi();
        app.MapPortalApi();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>Refuses a cookie whose security stamp is no longer the user's (logout, password change).</summary>
    private static async Task ValidateStampAsync(CookieValidatePrincipalContext context)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<PortalUsers>();
        if (!await users.IsCurrentAsync(context.Principal, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private static Task ApiStatus(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            ctx.Response.StatusCode = status;
        }
        else
        {
            ctx.Response.Redirect(ctx.RedirectUri);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Creates the data directory, migrates the database and seeds the first Admin before anything else starts.</summary>
internal sealed partial class DatabaseStartup(PortalDb db, PortalUsers users, IOptions<PortalOptions> options, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(folder);
        await db.MigrateAsync(cancellationToken);
        if (await RollupBackfill.RunAsync(db, options.Value.MinFacesShown, cancellationToken) is > 0 and var windows)
        {
            LogBackfilled(windows);
        }

        await users.SeedAsync(cancellationToken);
        LogReady(db.Provider, folder);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Database ready ({Provider}), data directory {DataDirectory}")]
    private partial void LogReady(string provider, string dataDirectory);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Information, Message = "Hourly and daily roll-ups filled from {Windows} stored demographics windows")]
    private partial void LogBackfilled(long windows);
}

/// <summary>Ready when the database answers, the broker link is up and the coordinator announced the current model.</summary>
internal sealed class PortalReadiness(PortalDb db, ICloudBus bus, RoundScheduler scheduler) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var c = db.Create();
        if (!await c.Database.CanConnectAsync(cancellationToken))
        {
            return HealthCheckResult.Unhealthy("database unreachable");
        }

        if (!bus.IsConnected)
        {
            return HealthCheckResult.Unhealthy("broker link down");
        }

        return scheduler.Ready ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("coordinator starting");
    }
}
