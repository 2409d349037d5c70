using System.ComponentModel.DataAnnotations;

namespace FogLens.FogService.Training;

/// <summary>Settings of the federated-learning client (section "Federated").</summary>
public sealed class FederatedOptions
{
    public const string Section = "Federated";

    /// <summary>Local labelled faces: a UTKFace-named folder, or a file list written by `./foglens data partition`.</summary>
    public string? LocalData { get; set; }

    /// <summary>Folder the names in a file list are relative to (the dataset folder).</summary>
    public string? DatasetDirectory { get; set; }

    /// <summary>CPU threads for local training (inference keeps its own).</summary>
    [Range(1, 64)]
    public int Threads { get; set; } = 1;

    /// <summary>Largest global model download accepted.</summary>
    [Range(1024, 1L << 32)]
    public long MaxModelBytes { get; set; } = 64L * 1024 * 1024;

    public bool Enabled => !string.IsNullOrEmpty(LocalData);
}
