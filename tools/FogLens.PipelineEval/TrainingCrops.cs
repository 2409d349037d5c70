using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;
using FogLens.Contracts.Imaging;
using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// Face crops as the edge publishes them, for fine-tuning the age model: each face walks alone through a
/// scene at a random size with the evaluation's camera degradations (<see cref="ScenePlanner"/>,
/// <see cref="SceneRenderer"/>), and the crop is cut with the production framing
/// (<see cref="FaceCropGeometry"/>) around its true box jittered like the detector's boxes, then JPEG
/// encoded at the edge's quality. Files keep their dataset names, so the hash split (and the labels) are
/// those of the dataset; a share of faces is kept as the clean chip.
/// </summary>
public static class TrainingCrops
{
    /// <summary>Face sizes drawn (pixels, face box side), about uniformly in log size.</summary>
    public static readonly IReadOnlyList<int> Sizes = [24, 28, 32, 40, 48, 56, 64, 80, 96, 128, 160];

    public static int Write(IReadOnlyList<FaceSample> faces, string outputFolder, SceneBackgrounds backgrounds, int seed, double cleanShare, Action<string> progress)
    {
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(backgrounds);
        ArgumentNullException.ThrowIfNull(progress);
        Directory.CreateDirectory(outputFolder);
        using var renderer = new SceneRenderer(backgrounds);
        var written = 0;
        for (var i = 0; i < faces.Count; i++)
        {
            var face = faces[i];
            var target = Path.Combine(outputFolder, face.FileName);
            var rng = new Random(Seeds.Combine(seed, i));
            if (rng.NextDouble() < cleanShare)
            {
                File.Copy(face.Path, target, overwrite: true);
                written++;
                continue;
            }

            var size = Sizes[rng.Next(Sizes.Count)];
            var clip = ScenePlanner.Plan([face], [size], Seeds.Combine(seed, i, 1), backgrounds.Photos.Count, backgrounds.VideoFrames.Count)[0];
            var person = clip.People[0];
            var frame = person.EnterFrame + rng.Next(person.VisibleFrames);
            using var image = renderer.Render(clip, frame, seed);
            var box = GroundTruth.FaceBox(person, frame);
            var side = box.Width * (0.9 + (0.22 * rng.NextDouble()));
            var cx = box.CenterX + ((rng.NextDouble() - 0.5) * 0.16 * box.Width);
            var cy = box.CenterY + ((rng.NextDouble() - 0.5) * 0.16 * box.Width);
            var (x, y, w, h) = FaceCropGeometry.Expand(cx - (side / 2), cy - (side / 2), side, side, image.Width, image.Height);
            using var crop = new Mat(image, new Rect(x, y, w, h));
            Cv2.ImWrite(target, crop, new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
            written++;
            if ((i + 1) % 1000 == 0)
            {
                progress($"{i + 1}/{faces.Count} crops");
            }
        }

        return written;
    }
}
