using System.CommandLine;
using System.Globalization;
using FogLens.EdgeAgent.Common;
using FogLens.EdgeAgent.Detection;
using FogLens.PipelineEval;
using Microsoft.Extensions.Logging.Abstractions;
using FogLens.Launch;

namespace FogLens.Cli;

/// <summary>`./foglens pipeline ...`: camera-to-age evaluation of the production edge and fog classes.</summary>
internal static class PipelineCommand
{
    public static Command Create()
    {
        var command = new Command("pipeline", "Camera-to-age evaluation: labelled faces walking through synthetic camera scenes, run through the production edge and fog classes.");
        command.Subcommands.Add(CreateEval());
        command.Subcommands.Add(CreateFraming());
        command.Subcommands.Add(CreateProbe());
        command.Subcommands.Add(CreateCrops());
        return command;
    }

    private static Option<string> DetectorOption() => new("--detector")
    {
        Description = "Edge detector (Edge:Detector): blazeface-cascade (the default), blazeface (front model), blazeface-back or haar.",
        DefaultValueFactory = _ => new EdgeAgentOptions().Detector,
    };

    private static Command CreateEval()
    {
        var data = AgeCommand.DataOption();
        var sizes = new Option<string>("--sizes") { Description = "Face box sides in pixels, comma-separated.", DefaultValueFactory = _ => "24,32,48,64,96,160" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for metrics.json and report.md.", Required = true };
        var detector = DetectorOption();
        var model = new Option<FileInfo>("--model")
        {
            Description = "ONNX age model the fog runs.",
            DefaultValueFactory = _ => new FileInfo(Path.Combine(RepoLayout.Root, "models", "age", "age-net.onnx")),
        };
        var limit = new Option<int>("--limit") { Description = "Validation faces per size (the same faces at every size); 0 = all.", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the scenes and camera noise.", DefaultValueFactory = _ => 7 };
        var examples = new Option<DirectoryInfo?>("--examples") { Description = "Write one frame and the published crops of the first clip of each size here (they show dataset faces: keep them out of the repository)." };
        var tileScale = new Option<double>("--tile-scale") { Description = "Edge:TileScale for blazeface-cascade.", DefaultValueFactory = _ => new EdgeAgentOptions().TileScale };
        var threshold = new Option<double>("--score-threshold") { Description = "Edge:ScoreThreshold of the detector.", DefaultValueFactory = _ => new EdgeAgentOptions().ScoreThreshold };
        var tracked = new Option<double>("--tracked-threshold") { Description = "Edge:TrackedScoreThreshold of blazeface-cascade.", DefaultValueFactory = _ => new EdgeAgentOptions().TrackedScoreThreshold };
        var flip = new Option<bool>("--flip") { Description = "Run the age model with flip test-time augmentation (Fog:FlipAverage=true)." };
        var compare = new Option<FileInfo[]>("--compare")
        {
            Description = "Further ONNX age models to run on exactly the same published crops (repeat the option): the report adds a paired comparison with --model, per size, with 95 % intervals.",
            AllowMultipleArgumentsPerToken = true,
        };
        compare.AcceptExistingOnly();
        var command = new Command("eval", "Run validation faces from camera frames to ages and write metrics.json and report.md (recall, duplicates, false tracks, MAE, CS(5), signed error, histogram error per size).")
        {
            data, sizes, output, detector, model, limit, seed, examples, tileScale, threshold, tracked, flip, compare,
        };
        command.SetAction(result =>
        {
            var options = new PipelineEvalOptions(
                result.GetRequiredValue(data).FullName,
                ParseSizes(result.GetRequiredValue(sizes)),
                result.GetRequiredValue(model).FullName,
                result.GetRequiredValue(detector),
                result.GetValue(limit),
                result.GetValue(seed),
                ExamplesFolder: result.GetValue(examples)?.FullName,
                TileScale: result.GetValue(tileScale),
                ScoreThreshold: result.GetValue(threshold),
                TrackedScoreThreshold: result.GetValue(tracked),
                FlipAverage: result.GetValue(flip),
                CompareModels: [.. (result.GetValue(compare) ?? []).Select(f => f.FullName)]);
            var evaluation = new PipelineEvaluation(options, m => Console.Error.WriteLine(m));
            var outcome = evaluation.Run();
            var (json, md) = PipelineReport.Write(outcome, result.GetRequiredValue(output).FullName);
            Console.WriteLine(PipelineReport.ToMarkdown(outcome));
            Console.WriteLine($"wrote {json} and {md}");
            return 0;
        });
        return command;
    }

    private static Command CreateFraming()
    {
        var data = AgeCommand.DataOption();
        var detector = DetectorOption();
        var limit = new Option<int>("--limit") { Description = "Validation chips to measure.", DefaultValueFactory = _ => 300 };
        var side = new Option<int>("--chip-side") { Description = "Side at which chips are pasted (pixels).", DefaultValueFactory = _ => 120 };
        var command = new Command("framing", "Measure how the dataset's chips are framed relative to the detector's box (chip side / box side, centre offset).")
        {
            data, detector, limit, side,
        };
        command.SetAction(result =>
        {
            var chips = PipelineEvaluation.Faces(result.GetRequiredValue(data).FullName, result.GetValue(limit), 1);
            var edge = new EdgeAgentOptions { EdgeId = "framing", Source = "synthetic", Detector = result.GetRequiredValue(detector) };
            using var faceDetector = FaceDetectors.Create(edge, NullLogger.Instance);
            using var backgrounds = SceneBackgrounds.Load(SceneBackgrounds.SamplesFolder, 0);
            Console.WriteLine(ChipFramingProbe.Measure(faceDetector, chips, backgrounds.Photos[0], result.GetValue(side)));
            return 0;
        });
        return command;
    }

    private static Command CreateProbe()
    {
        var data = AgeCommand.DataOption();
        var sizes = new Option<string>("--sizes") { Description = "Face box sides in the frame, comma-separated.", DefaultValueFactory = _ => "24,32,48" };
        var pixels = new Option<string>("--input-pixels") { Description = "Face sides in the model input to try, comma-separated.", DefaultValueFactory = _ => "12,16,20,24,32,48,64" };
        var limit = new Option<int>("--limit") { Description = "Validation faces per size.", DefaultValueFactory = _ => 40 };
        var command = new Command("probe", "Detection rate of the BlazeFace models per frame by face size in the model input, on the evaluation's scenes.")
        {
            data, sizes, pixels, limit,
        };
        command.SetAction(result =>
        {
            var faces = PipelineEvaluation.Faces(result.GetRequiredValue(data).FullName, result.GetValue(limit), 7);
            using var backgrounds = SceneBackgrounds.Load(SceneBackgrounds.SamplesFolder, 120);
            var clips = ScenePlanner.Plan(faces, ParseSizes(result.GetRequiredValue(sizes)), 7, backgrounds.Photos.Count, backgrounds.VideoFrames.Count);
            using var renderer = new SceneRenderer(backgrounds);
            foreach (var model in new[] { BlazeFaceModel.Front, BlazeFaceModel.Back })
            {
                using var detector = new BlazeFaceDetector(BlazeFaceDetector.DefaultPath(RepoLayout.Root, model));
                var watch = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < 100; i++)
                {
                    detector.Detect(backgrounds.Photos[i % backgrounds.Photos.Count]);
                }

                Console.WriteLine($"{detector.Name}: {watch.Elapsed.TotalMilliseconds / 100:F2} ms per call on a 640x480 frame (one thread)");
                Console.WriteLine(DetectionRateProbe.Measure(detector, clips, renderer, ParseSizes(result.GetRequiredValue(pixels)), 7));
            }

            return 0;
        });
        return command;
    }

    private static Command CreateCrops()
    {
        var data = AgeCommand.DataOption();
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for the crops (same file names as the dataset; keep it outside the repository).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 42 };
        var clean = new Option<double>("--clean-share") { Description = "Share of faces kept as the clean chip.", DefaultValueFactory = _ => 0.3 };
        var command = new Command("crops", "Write every labelled face as a crop the edge would publish (random size 24-160 px, camera degradations, production framing around a jittered box): data for fine-tuning the age model.")
        {
            data, output, seed, clean,
        };
        command.SetAction(result =>
        {
            var scan = FogLens.AgeModel.Data.UtkFaceDataset.Scan(result.GetRequiredValue(data).FullName);
            Console.WriteLine(scan.Summary);
            using var backgrounds = SceneBackgrounds.Load(SceneBackgrounds.SamplesFolder, 120);
            var n = TrainingCrops.Write(scan.Samples, result.GetRequiredValue(output).FullName, backgrounds, result.GetValue(seed), result.GetValue(clean), m => Console.Error.WriteLine(m));
            Console.WriteLine($"wrote {n} crops to {result.GetRequiredValue(output).FullName}");
            return 0;
        });
        return command;
    }

    private static int[] ParseSizes(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
