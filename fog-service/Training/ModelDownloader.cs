using System.Net.Http.Headers;
using System.Text;
using FogLens.Contracts;
using FogLens.Messaging;
using Microsoft.Extensions.Options;
using FogLens.FogService.Common;

namespace FogLens.FogService.Training;

/// <summary>
/// Downloads model files from the portal with the fog's own credentials (HTTP Basic, the fog id and its
/// Cloud:Password, the same account as on the cloud broker), never holding more than Federated:MaxModelBytes
/// (checked against Content-Length first, then while reading), and checks the SHA-256 the portal announced.
/// </summary>
public sealed class ModelDownloader : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly long _maxBytes;

    public ModelDownloader(IOptions<FederatedOptions> options, IOptionsMonitor<MqttEndpointOptions> cloud)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cloud);
        _maxBytes = options.Value.MaxModelBytes;
        var account = cloud.Get(FogServiceKeys.CloudSection);
        if (account.Password is { Length: > 0 } password)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username ?? account.ClientId}:{password}")));
        }
    }

    /// <summary>The file's bytes, or an <see cref="InvalidDataException"/> when it is too large or its hash differs.</summary>
    public async Task<byte[]> DownloadAsync(Uri uri, string sha256, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        if (response.Content.Headers.ContentLength > _maxBytes)
        {
            throw new InvalidDataException($"model of {response.Content.Headers.ContentLength} bytes exceeds Federated:MaxModelBytes");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxBytes)
            {
                throw new InvalidDataException("model download exceeds Federated:MaxModelBytes");
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        var hash = Sha256Hex.Of(bytes);
        return Sha256Hex.Equal(hash, sha256) ? bytes : throw new InvalidDataException($"model file has SHA-256 {hash}, the portal announced {sha256}");
    }

    public void Dispose() => _http.Dispose();
}
