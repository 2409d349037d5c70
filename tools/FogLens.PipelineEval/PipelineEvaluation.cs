using System.Diagnostics;
using FogLens.AgeModel.Data;
using FogLens.AgeModel.Inference;
using FogLens.EdgeAgent.Detection;
using FogLens.EdgeAgent.Pipeline;
using FogLens.EdgeAgent.Tracking;
using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using FogLens.EdgeAgent.Common;

namespace FogLens.PipelineEval;

/// <summary>
/// Runs labelled faces from camera to age: plans the scenes (<see cref="ScenePlanner"/>), renders them
/// (<see cref="SceneRenderer"/>), feeds each clip to the production edge classes (<see cref="FrameProcessor"/>:
/// motion gate, detector, <see cref="FaceTracker"/>, best crop, crop framing, JPEG), sends every published
/// crop through the production fog path (<see cref="AgeEstimator.PredictEncoded"/>), matches tracks to
/// people (<see cref="GroundTruth"/>) and scores them (<see cref="PipelineScoring"/>).
/// </summary>
public sealed class PipelineEvaluation(PipelineEvalOptions options, Action<string> progress)
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<int, int> _frameHits = [];
    private readonly Dictionary<int, int> _framePairs = [];
    private HashSet<int> _exampleClips = [];

    /// <summary>The evaluation faces: the validation split (by file-name hash), in a seeded order, at most Limit.</summary>
    public static IReadOnlyList<FaceSample> Faces(string dataDirectory, int limit, int seed, Action<string>? report = null)
    {
        var scan = UtkFaceDataset.Scan(dataDirectory);
        foreach (var issue in scan.Skipped)
        {
            report?.Invoke($"skipped {issue.FileName}: {issue.Problem}");
        }

        var (_, validation) = DatasetSplit.Split(scan.Samples);
        var ordered = validation.OrderBy(s => DatasetSplit.HashPosition($"pipeline/{seed}/{s.FileName}")).ToList();
        return limit > 0 && limit < ordered.Count ? ordered[..limit] : ordered;
    }

    public PipelineResult Run()
    {
        var faces = Faces(options.DataDirectory, options.Limit, options.Seed, progress);
        if (faces.Count == 0)
        {
            throw new InvalidDataException($"{options.DataDirectory} has no labelled faces in its validation split");
        }

        using var backgrounds = SceneBackgrounds.Load(options.SamplesFolder, videoFrames: 120);
        var clips = ScenePlanner.Plan(faces, options.Sizes, options.Seed, backgrounds.Photos.Count, backgrounds.VideoFrames.Count);
        _exampleClips = [.. clips.GroupBy(c => c.Size).Select(g => g.First().Index)];
        progress($"{faces.Count} validation faces × {options.Sizes.Count} sizes in {clips.Count} clips; detector {options.Detector}; model {options.ModelPath}");

        var edgeOptions = new EdgeAgentOptions { EdgeId = "pipeline-eval", Source = "synthetic", Detector = options.Detector, RealTime = false, TileScale = options.TileScale, ScoreThreshold = options.ScoreThreshold, TrackedScoreThreshold = options.TrackedScoreThreshold };
        using var detector = FaceDetectors.Create(edgeOptions, NullLogger.Instance);
        using var estimator = new AgeEstimator(options.ModelPath, intraOpThreads: 2) { FlipAverage = options.FlipAverage };
        var compared = new List<AgeEstimator>();
        try
        {
            compared.AddRange((options.CompareModels ?? []).Select(path => new AgeEstimator(path, intraOpThreads: 2) { FlipAverage = options.FlipAverage }));
            return Run(faces, backgrounds, clips, detector, edgeOptions, estimator, compared);
        }
        finally
        {
            compared.ForEach(e => e.Dispose());
        }
    }

    private PipelineResult Run(
        IReadOnlyList<FaceSample> faces, SceneBackgrounds backgrounds, IReadOnlyList<ClipPlan> clips, IFaceDetector detector, EdgeAgentOptions edgeOptions, AgeEstimator estimator, List<AgeEstimator> compared)
    {
        using var renderer = new SceneRenderer(backgrounds);
        var trackerOptions = new TrackerOptions();

        var people = new List<PersonTruth>();
        var tracks = new List<TrackResult>();
        var framesPerSize = new Dictionary<int, int>();
        var videoFramesPerSize = new Dictionary<int, int>();
        var edgeTime = TimeSpan.Zero;
        var frames = 0;
        var watch = Stopwatch.StartNew();
        foreach (var clip in clips)
        {
            people.AddRange(clip.People.Select(p => new PersonTruth(p.Id, clip.Size, p.Face.Label.Age)));
            var (published, elapsed) = RunEdge(clip, detector, edgeOptions, trackerOptions, renderer);
            edgeTime += elapsed;
            frames += clip.Frames;
            framesPerSize[clip.Size] = framesPerSize.GetValueOrDefault(clip.Size) + clip.Frames;
            if (clip.Background < 0)
            {
                videoFramesPerSize[clip.Size] = videoFramesPerSize.GetValueOrDefault(clip.Size) + clip.Frames;
            }
            tracks.AddRange(RunFog(clip, published, estimator, compared));
            if ((clip.Index + 1) % 50 == 0 || clip.Index == clips.Count - 1)
            {
                progress($"clip {clip.Index + 1}/{clips.Count} (size {clip.Size}): {people.Count} people, {tracks.Count} tracks, {watch.Elapsed.TotalSeconds:F0} s");
            }
        }

        var groups = estimator.Groups;
        var perSize = options.Sizes.Select(s => PipelineScoring.Score(
            s, [.. people.Where(p => p.Size == s)], [.. tracks.Where(t => t.Size == s)], framesPerSize.GetValueOrDefault(s), groups, videoFramesPerSize.GetValueOrDefault(s)) with
        {
            FrameRecall = _frameHits.GetValueOrDefault(s) / (double)Math.Max(1, _framePairs.GetValueOrDefault(s)),
        }).ToList();
        var overall = PipelineScoring.Score(null, people, tracks, frames, groups, videoFramesPerSize.Values.Sum()) with
        {
            FrameRecall = _frameHits.Values.Sum() / (double)Math.Max(1, _framePairs.Values.Sum()),
        };
        var aligned = Aligned(faces, [estimator, .. compared]);
        var (alignedMae, alignedSigned) = aligned[0];
        progress($"aligned chips of the same faces: MAE {alignedMae:F2}, signed error {alignedSigned:+0.00;-0.00}");
        var comparisons = compared.Select((other, k) =>
            ModelComparison.Compare(other.ModelVersion, options.CompareModels![k], k, options.Sizes, tracks, groups, aligned[k + 1].Mae, aligned[k + 1].Signed)).ToList();
        return new PipelineResult(perSize, overall, frames / Math.Max(1e-9, edgeTime.TotalSeconds), options.Detector == "blazeface-cascade" ? $"{detector.Name} (tile scale {options.TileScale:0.##}, tracked threshold {options.TrackedScoreThreshold:0.##})" : detector.Name,
            estimator.ModelVersion, options.Seed, faces.Count, clips.Count)
        {
            AlignedMae = alignedMae,
            AlignedSignedError = alignedSigned,
            Comparisons = comparisons,
        };
    }

    private (List<(FinishedTrack Track, DateTimeOffset Start)> Published, TimeSpan Elapsed) RunEdge(
        ClipPlan clip, IFaceDetector detector, EdgeAgentOptions edgeOptions, TrackerOptions trackerOptions, SceneRenderer renderer)
    {
        var start = Epoch.AddHours(clip.Index);
        var published = new List<(FinishedTrack, DateTimeOffset)>();
        var elapsed = TimeSpan.Zero;
        using var processor = new FrameProcessor(detector, edgeOptions, trackerOptions);
        for (var f = 0; f < clip.Frames; f++)
        {
            using var frame = renderer.Render(clip, f, options.Seed);
            var example = Example(clip, f);
            if (example is not null)
            {
                Cv2.ImWrite(example + ".png", frame);
            }
            var t0 = Stopwatch.GetTimestamp();
            var outcome = processor.Process(frame, start + FrameTime(f));
            elapsed += Stopwatch.GetElapsedTime(t0);
            foreach (var person in clip.People)
            {
                if (person.IsVisible(f))
                {
                    var truth = GroundTruth.FaceBox(person, f);
                    var seen = outcome.Faces.Any(d => d.IoU(truth) >= GroundTruth.MinIoU);
                    _frameHits[clip.Size] = _frameHits.GetValueOrDefault(clip.Size) + (seen ? 1 : 0);
                    _framePairs[clip.Size] = _framePairs.GetValueOrDefault(clip.Size) + 1;
                }
            }

            published.AddRange(outcome.Finished.Select(t => (t, start)));
        }

        var t1 = Stopwatch.GetTimestamp();
        var flushed = processor.Flush();
        elapsed += Stopwatch.GetElapsedTime(t1);
        published.AddRange(flushed.Select(t => (t, start)));
        var folder = Example(clip, -1);
        if (folder is not null)
        {
            foreach (var (track, _) in published)
            {
                using var crop = Cv2.ImDecode(track.Jpeg, ImreadModes.Color);
                Cv2.ImWrite($"{folder}-track{track.TrackId}.png", crop);
            }
        }

        return (published, elapsed);
    }

    private List<TrackResult> RunFog(ClipPlan clip, List<(FinishedTrack Track, DateTimeOffset Start)> published, AgeEstimator estimator, IReadOnlyList<AgeEstimator> compared)
    {
        var withCrops = published.Where(p => p.Track.Jpeg.Length > 0).ToList();
        if (withCrops.Count == 0)
        {
            return [];
        }

        ReadOnlyMemory<byte>[] crops = [.. withCrops.Select(p => (ReadOnlyMemory<byte>)p.Track.Jpeg)];
        var predictions = estimator.PredictEncoded(crops);
        var others = compared.Select(e => e.PredictEncoded(crops)).ToList();
        var results = new List<TrackResult>(withCrops.Count);
        for (var i = 0; i < withCrops.Count; i++)
        {
            var (track, start) = withCrops[i];
            var frame = (int)Math.Round((track.BestAt - start) / FrameTime(1));
            var person = GroundTruth.Match(clip, track.BestBox, frame);
            if (person is null && options.ExamplesFolder is not null)
            {
                // False tracks are written for inspection: where they were and what the camera showed.
                Directory.CreateDirectory(options.ExamplesFolder);
                using var crop = Cv2.ImDecode(track.Jpeg, ImreadModes.Color);
                var b = track.BestBox;
                var where = clip.Background >= 0 ? $"photo{clip.Background}" : "video";
                Cv2.ImWrite(Path.Combine(options.ExamplesFolder, $"false-size{clip.Size}-clip{clip.Index}-{where}-f{frame}-x{b.X:F0}-y{b.Y:F0}-w{b.Width:F0}-s{b.Score:F2}.png"), crop);
            }

            var prediction = predictions[i];
            results.Add(new TrackResult(
                clip.Size,
                person?.Id,
                person?.Face.Label.Age,
                prediction?.ExpectedAge,
                prediction?.GroupIndex ?? -1,
                CropWidth(track.Jpeg),
                clip.Background < 0)
            {
                OtherPredictedAges = [.. others.Select(o => o[i]?.ExpectedAge)],
            });
        }

        return results;
    }

    /// <summary>
    /// MAE and signed error of the same faces' aligned chips, read straight from the dataset (the model card's setting),
    /// for each estimator; every file is read once for all of them.
    /// </summary>
    private static (double Mae, double Signed)[] Aligned(IReadOnlyList<FaceSample> faces, IReadOnlyList<AgeEstimator> estimators)
    {
        var abs = new double[estimators.Count];
        var signed = new double[estimators.Count];
        var n = new int[estimators.Count];
        for (var i = 0; i < faces.Count; i += 64)
        {
            var batch = faces.Skip(i).Take(64).ToList();
            ReadOnlyMemory<byte>[] files = [.. batch.Select(f => (ReadOnlyMemory<byte>)File.ReadAllBytes(f.Path))];
            for (var e = 0; e < estimators.Count; e++)
            {
                var predictions = estimators[e].PredictEncoded(files);
                for (var k = 0; k < batch.Count; k++)
                {
                    if (predictions[k] is { } p)
                    {
                        var error = p.ExpectedAge - batch[k].Label.Age;
                        abs[e] += Math.Abs(error);
                        signed[e] += error;
                        n[e]++;
                    }
                }
            }
        }

        return [.. Enumerable.Range(0, estimators.Count).Select(e => n[e] == 0 ? (double.NaN, double.NaN) : (abs[e] / n[e], signed[e] / n[e]))];
    }

    /// <summary>Path prefix for example output of this clip and frame (-1: its crops), or null: the middle frame of the first clip of each size.</summary>
    private string? Example(ClipPlan clip, int frame)
    {
        if (options.ExamplesFolder is null || !_exampleClips.Contains(clip.Index) || (frame >= 0 && frame != ScenePlanner.LeadFrames + (ScenePlanner.WalkFrames / 2)))
        {
            return null;
        }

        Directory.CreateDirectory(options.ExamplesFolder);
        return Path.Combine(options.ExamplesFolder, $"size{clip.Size}-clip{clip.Index}");
    }

    private static TimeSpan FrameTime(int frame) => TimeSpan.FromSeconds(frame / PipelineScoring.FramesPerSecond);

    /// <summary>Width from the JPEG's SOF marker (no decode); 0 when not found.</summary>
    private static int CropWidth(byte[] jpeg)
    {
        for (var i = 2; i + 8 < jpeg.Length; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                return (jpeg[i + 7] << 8) | jpeg[i + 8];
            }
        }

        return 0;
    }
}
