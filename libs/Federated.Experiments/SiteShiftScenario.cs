using System.Globalization;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Training;

namespace FogLens.Federated.Experiments;

/// <summary>
/// The "site-shift" scenario: the cloud's base model is trained on a population that under-represents
/// what the sites see, and each fog fine-tunes on one site's faces.
/// <list type="bullet">
/// <item>The training split is divided by a hash of the file name. The <b>cloud population</b> is 70 % of the
/// faces aged 13–59 and only 5 % of the children (&lt; 13) and elderly (60+).</item>
/// <item>The <b>site pool</b> is everything else: the other 30 % of the 13–59-year-olds and 95 % of the children
/// and elderly, so about three quarters of the sites' faces are children or elderly (think of a school, a
/// day-care centre, a care home and a shopping street). It is partitioned over the fogs (iid or Dirichlet
/// over age groups) and each fog's share is split into local train and local test faces.</item>
/// <item>The base is trained from scratch on the cloud population (<see cref="TrainBase"/>, seeded, cached).</item>
/// </list>
/// Reported: MAE on the union of the sites' local test faces (<c>sitesMae</c>) and on the global validation split (<c>mae</c>).
/// </summary>
public static class SiteShiftScenario
{
    public const string SiteShift = "site-shift";

    public const string Uniform = "uniform";

    /// <summary>
    /// The demo's setting: the given base (the shipped model, trained on the whole training split) fine-tuned by fogs
    /// holding the site pool of the training split; reported on the site pool of the validation split (the sites'
    /// population, faces no fog and no base training saw). Measures what a label shift alone costs the shipped model
    /// and what federation recovers of it.
    /// </summary>
    public const string Shipped = "shipped";

    /// <summary>Share of 13–59-year-olds in the cloud population.</summary>
    public const double CloudAdultShare = 0.7;

    /// <summary>Share of children and elderly in the cloud population.</summary>
    public const double CloudShiftedShare = 0.05;

    /// <summary>Seed of the base model's training (fixed: every run of a runs folder shares one base).</summary>
    public const int BaseSeed = 7;

    /// <summary>Whether a face belongs to the population the base under-represents (children under 13, adults of 60 and over).</summary>
    public static bool IsShifted(FaceSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Label.Age is < 13 or >= 60;
    }

    /// <summary>Divides the training split into the cloud population and the site pool (deterministic, by file-name hash).</summary>
    public static (IReadOnlyList<FaceSample> Cloud, IReadOnlyList<FaceSample> Sites) Divide(IReadOnlyList<FaceSample> train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var cloud = new List<FaceSample>();
        var sites = new List<FaceSample>();
        foreach (var sample in train)
        {
            var share = IsShifted(sample) ? CloudShiftedShare : CloudAdultShare;
            (DatasetSplit.HashPosition("cloud/" + sample.FileName) < share ? cloud : sites).Add(sample);
        }

        return (cloud, sites);
    }

    /// <summary>A site's faces split into local train and local test (by file-name hash).</summary>
    public static (IReadOnlyList<FaceSample> Train, IReadOnlyList<FaceSample> Test) SplitSite(IReadOnlyList<FaceSample> site, double testFraction) =>
        DatasetSplit.Split(site, testFraction, salt: "site/");

    /// <summary>Folder name of the cached base model for these settings.</summary>
    public static string BaseFolderName(ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Create(CultureInfo.InvariantCulture, $"base-site-shift-e{options.BaseEpochs}{(options.BaseLimit is { } l ? $"-n{l}" : string.Empty)}");
    }

    /// <summary>
    /// Trains the base model from scratch on <paramref name="cloud"/> (AdamW 3e-3 with a cosine schedule, weight
    /// decay 5e-4, batch 64, expectation weight 0.05, augmentation, seed <see cref="BaseSeed"/>) unless
    /// <paramref name="folder"/> already holds it; returns the folder. Written atomically (a stopped run trains again).
    /// </summary>
    public static string TrainBase(AgeNetConfig config, IReadOnlyList<FaceSample> cloud, int epochs, int threads, string folder, Action<string> log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(log);
        if (File.Exists(Path.Combine(folder, ModelFiles.Weights)) && File.Exists(Path.Combine(folder, ModelFiles.Config)))
        {
            return folder;
        }

        var temporary = folder + ".tmp";
        if (Directory.Exists(temporary))
        {
            Directory.Delete(temporary, recursive: true);
        }

        Directory.CreateDirectory(temporary);
        log($"training the site-shift base model on {cloud.Count} faces ({cloud.Count(IsShifted)} children or elderly), {epochs} epochs → {folder}");
        using var set = StagedFaceSet.Load(cloud, new FacePreprocessor(config.InputSize), threads, null, cancellationToken);
        const double rate = 3e-3;
        using var session = new AgeTrainingSession(config, rate, 5e-4, BaseSeed, threads) { ExpectationLossWeight = 0.05 };
        const int batch = 64;
        var stepsPerEpoch = Math.Max(1, set.Count / batch);
        var total = (double)(stepsPerEpoch * epochs);
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var offset = epoch * stepsPerEpoch;
            var loss = session.TrainEpoch(set, batch, new Random(Seeds.Combine(BaseSeed, epoch)), step => rate * 0.5 * (1 + Math.Cos(Math.PI * (offset + step) / total)), 1f, null, cancellationToken);
            log(string.Create(CultureInfo.InvariantCulture, $"base epoch {epoch + 1}/{epochs}: loss {loss:F4}"));
        }

        session.SaveWeights(Path.Combine(temporary, ModelFiles.Weights));
        File.WriteAllText(Path.Combine(temporary, ModelFiles.Config), config.ToJson());
        File.WriteAllText(Path.Combine(temporary, "README.md"), string.Create(CultureInfo.InvariantCulture, $"Site-shift base model: trained from scratch by the experiment harness on {cloud.Count} faces of the training split ({cloud.Count(IsShifted)} under 13 or 60+), {epochs} epochs, seed {BaseSeed}. Not committed; recreated by the first run that needs it.\n"));
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.Move(temporary, folder);
        return folder;
    }
}
