using System.Net;
using System.Net.Http.Json;
using FogLens.CloudPortal.Auth;
using FogLens.CloudPortal.Rounds;
using FogLens.Tests.Shared;
using FogLens.Tests.Shared.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FogLens.CloudPortal.Tests;

/// <summary>
/// A real portal: Kestrel on a free port, the embedded MQTT broker on a free port, a temporary data
/// directory, SQLite (or a PostgreSQL database), an Admin and a Viewer. Restartable on the same data.
/// </summary>
internal sealed class PortalHarness : IAsyncDisposable
{
    public const string AdminPassword = "admin-password";
    public const string ViewerPassword = "viewer-password";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsData;

    private PortalHarness(Dictionary<string, string?> settings, bool ownsData)
    {
        _settings = settings;
        _ownsData = ownsData;
    }

    public WebApplication App { get; private set; } = default!;

    public int BrokerPort => int.Parse(_settings["Broker:Port"]!, System.Globalization.CultureInfo.InvariantCulture);

    public string DataDirectory => _settings["Portal:DataDirectory"]!;

    public Uri BaseAddress => new(App.Urls.First());

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public static Task<PortalHarness> StartAsync(Dictionary<string, string?>? extra = null, string? postgres = null) =>
        PortRetry.StartAsync(() => StartOnceAsync(extra, postgres));

    private static async Task<PortalHarness> StartOnceAsync(Dictionary<string, string?>? extra, string? postgres)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Portal:DataDirectory"] = Directory.CreateTempSubdirectory("foglens-portal-").FullName,
            ["Broker:Port"] = TestBroker.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Broker:AllowAnonymousFogs"] = "true",
            ["Federated:BaseModel"] = Path.Combine(TestPaths.RepoRoot, "models", "age"),
            ["Federated:Deadline"] = "00:01:00",
            ["Auth:AdminUser"] = "admin",
            ["Auth:AdminPassword"] = AdminPassword,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (postgres is not null)
        {
            settings["Database:Provider"] = "postgres";
            settings["Database:ConnectionString"] = postgres;
        }

        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        var harness = new PortalHarness(settings, ownsData: true);
        await harness.StartAppAsync();
        await harness.Service<PortalUsers>().CreateAsync("viewer", ViewerPassword, PortalRoles.Viewer, CancellationToken.None);
        return harness;
    }

    private async Task StartAppAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = "FogLens.CloudPortal", ContentRootPath = Path.Combine(TestPaths.RepoRoot, "cloud-portal") });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(_settings);
        builder.AddPortalServices();
        App = builder.Build();
        App.MapPortalEndpoints();
        try
        {
            await App.StartAsync();
        }
        catch
        {
            await App.DisposeAsync();
            throw;
        }

        var scheduler = Service<RoundScheduler>();
        await Eventually.WaitUntil(() => scheduler.Ready, TimeSpan.FromSeconds(30), "portal ready (model announced)");
    }

    /// <summary>Stops the portal (as a crash would, without cleanup beyond the host's) and starts it again on the same data.</summary>
    public async Task RestartAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await StartAppAsync();
    }

    /// <summary>An HTTP client logged in as <paramref name="user"/> (cookie), or anonymous for null.</summary>
    public async Task<HttpClient> ClientAsync(string? user)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress };
        if (user is not null)
        {
            var password = user == "admin" ? AdminPassword : ViewerPassword;
            var response = await client.PostAsJsonAsync("/api/auth/login", new { name = user, password });
            response.EnsureSuccessStatusCode();
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment; temp is cleaned by the OS
            }
        }
    }
}
