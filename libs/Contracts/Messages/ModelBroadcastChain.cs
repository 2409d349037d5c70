namespace FogLens.Contracts.Messages;

/// <summary>
/// How a round's model reaches a fog that holds an earlier one (issue 17, downstream compression): the fingerprint of
/// the model to train on and the last deltas on the way to it, oldest first. A fog that holds the parent of one of
/// the links (same version and fingerprint) downloads the deltas from there on, applies them in order and checks the
/// result's fingerprint; otherwise, or when anything fails, it downloads the whole model (the task's ModelUri).
/// </summary>
/// <param name="Fingerprint">SHA-256 over the tensors' names, shapes and float32 values of the model to train on.</param>
/// <param name="Links">Deltas ending at the task's model version, oldest first (at most <see cref="MaxLinks"/>).</param>
public sealed record ModelBroadcastChain(string Fingerprint, IReadOnlyList<ModelDeltaLink> Links)
{
    public const int MaxLinks = 32;

    public string? Validate(string modelVersion)
    {
        if (!Sha256Hex.IsValid(Fingerprint))
        {
            return "broadcast fingerprint must be 64 hex characters";
        }

        if (Links is null || Links.Count > MaxLinks)
        {
            return $"broadcast links must list at most {MaxLinks} deltas";
        }

        for (var i = 0; i < Links.Count; i++)
        {
            var link = Links[i];
            if (link is null || link.Validate() is { } error)
            {
                return $"broadcast link {i}: {link?.Validate() ?? "missing"}";
            }

            var next = i + 1 < Links.Count ? Links[i + 1] : null;
            if (next is not null && (next.Parent != link.Version || next.ParentFingerprint != link.Fingerprint))
            {
                return $"broadcast link {i + 1} does not continue link {i}";
            }
        }

        return Links.Count > 0 && (Links[^1].Version != modelVersion || Links[^1].Fingerprint != Fingerprint)
            ? "the last broadcast link must end at the task's model"
            : null;
    }
}

/// <summary>One delta: from <paramref name="Parent"/> (as fogs hold it) to <paramref name="Version"/> (as fogs will hold it).</summary>
/// <param name="Version">Model version this delta produces.</param>
/// <param name="Fingerprint">Fingerprint of the model after applying it.</param>
/// <param name="Parent">Model version it applies to.</param>
/// <param name="ParentFingerprint">Fingerprint of the model it applies to.</param>
/// <param name="Uri">Where to download the delta (HTTP(S) on the portal).</param>
/// <param name="Sha256">SHA-256 (hex) of the delta file.</param>
/// <param name="Bytes">Size of the delta file.</param>
public sealed record ModelDeltaLink(string Version, string Fingerprint, string Parent, string ParentFingerprint, Uri Uri, string Sha256, long Bytes)
{
    public string? Validate() =>
        !NodeId.IsValid(Version) || !NodeId.IsValid(Parent) ? "versions must be valid ids"
        : !Sha256Hex.IsValid(Fingerprint) || !Sha256Hex.IsValid(ParentFingerprint) || !Sha256Hex.IsValid(Sha256) ? "fingerprints and hashes must be 64 hex characters"
        : Uri is null || !Uri.IsAbsoluteUri || (Uri.Scheme != Uri.UriSchemeHttp && Uri.Scheme != Uri.UriSchemeHttps) ? "uri must be an absolute http(s) URI"
        : Bytes is < 0 or > 1L << 32 ? "bytes out of range"
        : null;
}
