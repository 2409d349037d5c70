using FogLens.Tests.Shared;
using OpenCvSharp;

namespace FogLens.EdgeAgent.Tests;

/// <summary>
/// Image-folder scenes built from Debian's messi5.jpg: Messi's face (enlarged) walks across a plain
/// background, once per "person", with empty frames between people so each walk is one track.
/// </summary>
internal static class SyntheticScenes
{
    public static string Create(int people, string? corruptFileAt = null)
    {
        var folder = Directory.CreateTempSubdirectory("foglens-scene-").FullName;
        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        using var face = new Mat(messi, new Rect(195, 70, 90, 90));
        using var patch = new Mat();
        Cv2.Resize(face, patch, new Size(200, 200), 0, 0, InterpolationFlags.Cubic);
        var index = 0;
        for (var p = 0; p < people; p++)
        {
            for (var step = 0; step < 12; step++)
            {
                using var frame = Background();
                var x = 20 + (step * 30);
                patch.CopyTo(new Mat(frame, new Rect(x, 140, 200, 200)));
                Cv2.ImWrite(Path.Combine(folder, $"{index++:D4}.jpg"), frame);
            }

            for (var gap = 0; gap < 12; gap++)
            {
                using var frame = Background();
                Cv2.ImWrite(Path.Combine(folder, $"{index++:D4}.jpg"), frame);
            }
        }

        if (corruptFileAt is not null)
        {
            File.WriteAllBytes(Path.Combine(folder, corruptFileAt), [0xFF, 0xD8, 0xFF, 0x00, 0x13, 0x37]);
        }

        return folder;
    }

    private static Mat Background() => new(480, 640, MatType.CV_8UC3, new Scalar(90, 110, 100));
}
