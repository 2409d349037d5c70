using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FogLens.FogService.Tests;

/// <summary>A tiny HTTP server standing in for the portal's model downloads.</summary>
internal sealed class ModelServer(WebApplication app) : IAsyncDisposable
{
    public Uri At(string path) => new(new Uri(app.Urls.First()), path);

    public static async Task<ModelServer> StartAsync(Dictionary<string, byte[]> routes)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        foreach (var (path, bytes) in routes)
        {
            app.MapGet(path, () => Results.Bytes(bytes, "application/octet-stream"));
        }

        await app.StartAsync();
        return new ModelServer(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
