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
        using var patch = Face(200);
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

    /// <summary>
    /// A busier scene for load runs: <paramref name="groups"/> times, six faces (160 px, two rows of three) cross
    /// part of the frame together over 6 frames, then 10 empty frames end their tracks (more than the tracker's
    /// 8 misses); so each group is six people. Large enough for the cheapest detector (the front model).
    /// </summary>
    public static string Crowd(int groups)
    {
        var folder = Directory.CreateTempSubdirectory("foglens-crowd-").FullName;
        using var patch = Face(160);
        var index = 0;
        for (var g = 0; g < groups; g++)
        {
            for (var step = 0; step < 6; step++)
            {
                using var frame = Background();
                for (var k = 0; k < 6; k++)
                {
                    var x = 10 + ((k % 3) * 215) + (step * 6);
                    var y = k < 3 ? 60 : 290;
                    patch.CopyTo(new Mat(frame, new Rect(x, y, 160, 160)));
                }

                Cv2.ImWrite(Path.Combine(folder, $"{index++:D4}.jpg"), frame);
            }

            for (var gap = 0; gap < 10; gap++)
            {
                using var frame = Background();
                Cv2.ImWrite(Path.Combine(folder, $"{index++:D4}.jpg"), frame);
            }
        }

        return folder;
    }

    /// <summary>Messi's face from messi5.jpg, resized to <paramref name="side"/> pixels.</summary>
    private static Mat Face(int side)
    {
        using var messi = Cv2.ImRead(TestPaths.RequireInstalled(Path.Combine(TestPaths.OpenCvSamples, "messi5.jpg"), "opencv-doc"));
        using var face = new Mat(messi, new Rect(195, 70, 90, 90));
        var patch = new Mat();
        Cv2.Resize(face, patch, new Size(side, side), 0, 0, InterpolationFlags.Cubic);
        return patch;
    }

    private static Mat Background() => new(480, 640, MatType.CV_8UC3, new Scalar(90, 110, 100));
}
