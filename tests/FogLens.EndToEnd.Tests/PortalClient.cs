using System.Net.Http.Json;
using System.Text.Json;

namespace FogLens.EndToEnd.Tests;

/// <summary>A signed-in HTTP client for a running portal's REST API.</summary>
internal sealed class PortalClient : IDisposable
{
    private readonly HttpClient _http;

    private PortalClient(HttpClient http) => _http = http;

    public static async Task<PortalClient> SignInAsync(Uri portal, string user, string password)
    {
        var http = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = portal, Timeout = TimeSpan.FromSeconds(30) };
        var response = await http.PostAsJsonAsync("/api/auth/login", new { name = user, password });
        response.EnsureSuccessStatusCode();
        return new PortalClient(http);
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(path, UriKind.Relative)));
        return document.RootElement.Clone();
    }

    public async Task<JsonElement> PostAsync(string path)
    {
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), null);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Every stored demographics window.</summary>
    public async Task<List<JsonElement>> WindowsAsync() => [.. (await GetAsync("/api/demographics?limit=100000")).EnumerateArray()];

    /// <summary>GET that tolerates a portal that is restarting (returns null).</summary>
    public async Task<JsonElement?> TryGetAsync(string path)
    {
        try
        {
            return await GetAsync(path);
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();
}
