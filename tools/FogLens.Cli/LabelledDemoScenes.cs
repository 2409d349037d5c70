using System.Text.Json;
using FogLens.AgeModel.Data;
using FogLens.PipelineEval;
using OpenCvSharp;

namespace FogLens.Cli;

/// <summary>
/// Demo camera feeds with many different labelled people: faces of the dataset's training split walk through
/// Debian's photos and frames of vtest.avi at 48–128 px, with the camera degradations of the pipeline
/// evaluation (<see cref="ScenePlanner"/>, <see cref="SceneRenderer"/>), so the portal's age histogram can be
/// compared with the truth. Each camera gets its own people; the true ages are written next to the frames.
/// </summary>
internal static class LabelledDemoScenes
{
    public const int PeoplePerCamera = 40;

    private const string TruthFile = "truth.json";

    /// <summary>Face sizes (box side, pixels) the people are shown at, in turn: far to near.</summary>
    private static readonly int[] Sizes = [48, 64, 96, 128];

    /// <summary>Empty frames after each clip: more than the tracker's 8 misses, so no track runs into the next clip.</summary>
    private const int GapFrames = 10;

    /// <summary>The training-split faces, in a seeded order; camera n shows the n-th slice of <see cref="PeoplePerCamera"/>.</summary>
    public static IReadOnlyList<FaceSample> Faces(string dataset)
    {
        var (train, _) = DatasetSplit.Split(UtkFaceDataset.Scan(dataset).Samples);
        return [.. train.OrderBy(s => DatasetSplit.HashPosition($"demo/{s.FileName}"))];
    }

    /// <summary>Renders camera <paramref name="camera"/>'s feed into <paramref name="folder"/> (once; reused when present).</summary>
    public static string Build(string folder, int camera, IReadOnlyList<FaceSample> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        if (File.Exists(Path.Combine(folder, TruthFile)))
        {
            return folder;
        }

        var mine = faces.Skip((camera - 1) * PeoplePerCamera).Take(PeoplePerCamera).ToList();
        if (mine.Count == 0)
        {
            throw new InvalidDataException($"the dataset's training split has too few faces for camera {camera}");
        }

        Directory.CreateDirectory(folder);
        using var backgrounds = SceneBackgrounds.Load(SceneBackgrounds.SamplesFolder, videoFrames: 120);
        using var renderer = new SceneRenderer(backgrounds);
        var clips = new List<ClipPlan>();
        for (var s = 0; s < Sizes.Length; s++)
        {
            var group = mine.Where((_, i) => i % Sizes.Length == s).ToList();
            clips.AddRange(ScenePlanner.Plan(group, [Sizes[s]], seed: camera, backgrounds.Photos.Count, backgrounds.VideoFrames.Count));
        }

        var index = 0;
        var jpeg = new ImageEncodingParam(ImwriteFlags.JpegQuality, 92);
        foreach (var clip in clips)
        {
            for (var frame = 0; frame < clip.Frames + GapFrames; frame++)
            {
                using var image = renderer.Render(clip, frame, seed: camera);
                Cv2.ImWrite(Path.Combine(folder, $"{index++:D5}.jpg"), image, jpeg);
            }
        }

        var truth = new DemoTruth([.. clips.SelectMany(c => c.People.Select(p => new DemoPerson(p.Face.FileName, p.Face.Label.Age, c.Size)))]);
        File.WriteAllText(Path.Combine(folder, TruthFile), JsonSerializer.Serialize(truth));
        return folder;
    }

    /// <summary>The people of the feeds in <paramref name="folders"/> (those built by <see cref="Build"/>).</summary>
    public static IReadOnlyList<DemoPerson> Truth(IEnumerable<string> folders) =>
        [.. folders.Select(f => Path.Combine(f, TruthFile)).Where(File.Exists)
            .SelectMany(f => JsonSerializer.Deserialize<DemoTruth>(File.ReadAllText(f))?.People ?? [])];
}

/// <summary>One labelled person of a demo feed: the dataset file, the true age and the face size shown.</summary>
internal sealed record DemoPerson(string File, int Age, int Size);

internal sealed record DemoTruth(IReadOnlyList<DemoPerson> People);
