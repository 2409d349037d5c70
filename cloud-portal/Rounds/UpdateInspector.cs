using System.Collections.Concurrent;
using FogLens.Compression;
using Microsoft.Extensions.Options;

namespace FogLens.CloudPortal.Rounds;

/// <summary>
/// Checks an arriving update's payload before it is stored: the codec's decoder against the base model's tensors
/// (sizes bounded by the model, not by the payload), finite values, and the norm against <c>Federated:RejectNorm</c>.
/// </summary>
public sealed class UpdateInspector(ModelRegistry registry, IOptions<CoordinatorOptions> options)
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<TensorSpec>> _specs = new(StringComparer.Ordinal);

    /// <summary>Why the payload is refused (null when it is fine), and its L2 norm when it decoded to finite values.</summary>
    public async Task<(string? Problem, double? Norm)> InspectAsync(string baseVersion, ReadOnlyMemory<byte> payload)
    {
        if (!_specs.TryGetValue(baseVersion, out var specs))
        {
            specs = (await registry.LoadStateAsync(baseVersion)).Specs;
            _specs[baseVersion] = specs;
        }

        try
        {
            var norm = UpdateDecoder.Decode(payload.Span, Limits(specs), specs).Norm();
            var limit = options.Value.RejectNorm;
            return !double.IsFinite(norm) || norm > limit
                ? ($"update norm {norm:G4} exceeds Federated:RejectNorm {limit}", double.IsFinite(norm) ? norm : null)
                : (null, norm);
        }
        catch (CorruptUpdateException ex)
        {
            return ($"corrupt update ({ex.Reason}): {ex.Message}", null);
        }
    }

    /// <summary>Decoding limits for a model: no more elements than it has, no payload over 64 MiB.</summary>
    public static DecodeLimits Limits(IReadOnlyList<TensorSpec> specs) => new() { MaxElements = specs.Sum(s => s.ElementCount), MaxPayloadBytes = 64 * 1024 * 1024 };
}
