using FogLens.AgeModel.Training;
using OpenCvSharp;

namespace FogLens.PipelineEval;

/// <summary>
/// Renders the frames of a clip: background, each visible person's torso and face, occluders, then the
/// camera (light level, sensor noise, JPEG compression). Deterministic for a given plan (OpenCV's random
/// generator is seeded per frame). Not thread-safe.
/// </summary>
public sealed class SceneRenderer(SceneBackgrounds backgrounds) : IDisposable
{
    private readonly Dictionary<int, PersonSprite> _sprites = [];
    private ClipPlan? _clip;

    /// <summary>Renders frame <paramref name="frame"/> of <paramref name="clip"/> as the camera delivers it (BGR, 640x480).</summary>
    public Mat Render(ClipPlan clip, int frame, int seed)
    {
        ArgumentNullException.ThrowIfNull(clip);
        Prepare(clip);
        var image = clip.Background >= 0
            ? backgrounds.Photos[clip.Background].Clone()
            : backgrounds.VideoFrames[Math.Min(backgrounds.VideoFrames.Count - 1, clip.VideoStart + frame)].Clone();

        foreach (var person in clip.People)
        {
            if (person.IsVisible(frame))
            {
                DrawTorso(image, person, frame);
            }
        }

        foreach (var person in clip.People)
        {
            if (person.IsVisible(frame))
            {
                DrawFace(image, person, frame);
            }
        }

        Camera(image, clip, Seeds.Combine(seed, clip.Index, frame));
        return image;
    }

    public void Dispose() => Release();

    private void Prepare(ClipPlan clip)
    {
        if (ReferenceEquals(_clip, clip))
        {
            return;
        }

        Release();
        foreach (var person in clip.People)
        {
            _sprites[person.Id] = PersonSprite.Create(person);
        }

        _clip = clip;
    }

    private void Release()
    {
        foreach (var sprite in _sprites.Values)
        {
            sprite.Dispose();
        }

        _sprites.Clear();
        _clip = null;
    }

    private static void DrawTorso(Mat image, PersonPlan person, int frame)
    {
        var s = person.ChipSide;
        var cx = (int)Math.Round(person.X(frame) + (s / 2.0));
        var cy = person.Y + s + (int)(0.9 * s);
        var (b, g, r) = person.ClothingBgr;
        Cv2.Ellipse(image, new Point(cx, cy), new Size((int)(0.75 * s), (int)(1.05 * s)), 0, 0, 360, new Scalar(b, g, r), -1, LineTypes.AntiAlias);
    }

    private void DrawFace(Mat image, PersonPlan person, int frame)
    {
        var sprite = _sprites[person.Id];
        var x = (int)Math.Round(person.X(frame));
        var rect = new Rect(x, person.Y, person.ChipSide, person.ChipSide);
        using (var target = new Mat(image, rect))
        using (var blended = new Mat())
        using (var inverse = new Mat())
        {
            Cv2.Subtract(Scalar.All(1), sprite.Mask, inverse);
            Cv2.BlendLinear(sprite.Face, target, sprite.Mask, inverse, blended);
            blended.CopyTo(target);
        }

        if (person.Occlusion.Kind == OcclusionKind.None)
        {
            return;
        }

        var box = GroundTruth.FaceBox(person, frame);
        var f = person.Occlusion.Fraction;
        var pad = 0.1 * box.Width;
        var occluder = person.Occlusion.Kind switch
        {
            OcclusionKind.Bottom => new Rect2d(box.X - pad, box.Y + ((1 - f) * box.Height), box.Width + (2 * pad), (f * box.Height) + pad),
            OcclusionKind.Left => new Rect2d(box.X - pad, box.Y - pad, (f * box.Width) + pad, box.Height + (2 * pad)),
            _ => new Rect2d(box.Right - (f * box.Width), box.Y - pad, (f * box.Width) + pad, box.Height + (2 * pad)),
        };
        var (b, g, r) = person.ClothingBgr;
        Cv2.Rectangle(image, new Rect((int)occluder.X, (int)occluder.Y, (int)Math.Ceiling(occluder.Width), (int)Math.Ceiling(occluder.Height)), new Scalar(b * 0.6, g * 0.6, r * 0.6), -1);
    }

    private static void Camera(Mat image, ClipPlan clip, int seed)
    {
        if (clip.Gain < 1)
        {
            image.ConvertTo(image, MatType.CV_8UC3, clip.Gain, 0);
        }

        Cv2.SetTheRNG((ulong)(uint)seed);
        using (var noisy = new Mat())
        using (var noise = new Mat(image.Size(), MatType.CV_16SC3))
        {
            Cv2.Randn(noise, Scalar.All(0), Scalar.All(clip.NoiseSigma));
            image.ConvertTo(noisy, MatType.CV_16SC3);
            Cv2.Add(noisy, noise, noisy);
            noisy.ConvertTo(image, MatType.CV_8UC3);
        }

        var jpeg = image.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, clip.JpegQuality));
        using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
        decoded.CopyTo(image);
    }
}
