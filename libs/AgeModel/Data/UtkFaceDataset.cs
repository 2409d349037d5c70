namespace FogLens.AgeModel.Data;

/// <summary>Finds labelled UTKFace images in a folder, or from a file list written by the partition tool.</summary>
public static class UtkFaceDataset
{
    /// <summary>Environment variable naming the dataset folder.</summary>
    public const string EnvironmentVariable = "FOGLENS_DATASET";

    /// <summary>Scans a folder (not recursively). Malformed names are reported in the result, not thrown.</summary>
    public static DatasetScan Scan(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"dataset folder '{directory}' does not exist (set --data or {EnvironmentVariable})");
        }

        var files = Directory.GetFiles(directory);
        Array.Sort(files, StringComparer.Ordinal);
        return FromFiles(directory, files);
    }

    /// <summary>
    /// Reads a file list (one path per line, relative to <paramref name="baseDirectory"/> or absolute;
    /// '#' starts a comment) and labels its files.
    /// </summary>
    public static DatasetScan FromList(string listPath, string baseDirectory)
    {
        var files = File.ReadAllLines(listPath)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => Path.IsPathRooted(l) ? l : Path.Combine(baseDirectory, l))
            .ToArray();
        return FromFiles(baseDirectory, files);
    }

    private static DatasetScan FromFiles(string directory, IEnumerable<string> files)
    {
        var samples = new List<FaceSample>();
        var skipped = new List<DatasetIssue>();
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            var label = UtkFaceName.TryParse(name, out var problem);
            if (label is null)
            {
                skipped.Add(new DatasetIssue(name, problem!));
            }
            else
            {
                samples.Add(new FaceSample(path, label));
            }
        }

        return new DatasetScan(directory, samples, skipped);
    }
}
