using FogLens.AgeModel.Data;
using FogLens.AgeModel.Training;

namespace FogLens.PipelineEval;

/// <summary>
/// Seeded plan of the evaluation scenes, without any image work: every face walks once at every size
/// (so sizes are compared on the same people), two people share a clip where both fit, and each person
/// and clip draws its own camera conditions within the ranges below.
/// </summary>
public static class ScenePlanner
{
    public const int FrameWidth = 640;
    public const int FrameHeight = 480;

    /// <summary>Frames before anyone enters: the motion gate learns the background.</summary>
    public const int LeadFrames = 3;

    /// <summary>Frames each person is visible.</summary>
    public const int WalkFrames = 12;

    /// <summary>Frames after the last person left.</summary>
    public const int TailFrames = 2;

    public static IReadOnlyList<ClipPlan> Plan(IReadOnlyList<FaceSample> faces, IReadOnlyList<int> sizes, int seed, int backgroundPhotos, int videoFrames)
    {
        ArgumentNullException.ThrowIfNull(faces);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backgroundPhotos);
        var clips = new List<ClipPlan>();
        var personId = 0;
        foreach (var size in sizes)
        {
            var rng = new Random(Seeds.Combine(seed, size));
            var chip = (int)Math.Round(size * ChipGeometry.SideOverBox);
            if (chip + 8 > FrameHeight || chip + 8 > FrameWidth)
            {
                throw new ArgumentOutOfRangeException(nameof(sizes), $"face size {size} does not fit a {FrameWidth}x{FrameHeight} frame");
            }

            // Two people per clip when two rows of head + torso fit, one otherwise.
            var perClip = (2 * chip) + 40 <= FrameHeight - 40 ? 2 : 1;
            for (var i = 0; i < faces.Count; i += perClip)
            {
                var people = new List<PersonPlan>(perClip);
                var rows = perClip;
                for (var k = 0; k < perClip && i + k < faces.Count; k++)
                {
                    people.Add(Person(personId++, faces[i + k], chip, size, k, rows, rng));
                }

                var useVideo = videoFrames > LeadFrames + WalkFrames + TailFrames + 2 && rng.NextDouble() < 0.5;
                var frames = LeadFrames + WalkFrames + TailFrames + people.Max(p => p.EnterFrame - LeadFrames);
                clips.Add(new ClipPlan(
                    clips.Count,
                    size,
                    useVideo ? -1 : rng.Next(backgroundPhotos),
                    useVideo ? rng.Next(videoFrames - frames) : 0,
                    frames,
                    people,
                    Gain: rng.NextDouble() < 0.4 ? 0.35 + (0.4 * rng.NextDouble()) : 0.75 + (0.25 * rng.NextDouble()),
                    NoiseSigma: 2 + (6 * rng.NextDouble()),
                    JpegQuality: rng.Next(30, 91)));
            }
        }

        return clips;
    }

    private static PersonPlan Person(int id, FaceSample face, int chip, int size, int row, int rows, Random rng)
    {
        // Walking speed: 0.15-0.4 face widths per frame at 25 fps; the whole walk stays in the frame.
        var speed = size * (0.15 + (0.25 * rng.NextDouble()));
        var travel = speed * (WalkFrames - 1);
        var maxTravel = FrameWidth - chip - 8;
        if (travel > maxTravel)
        {
            speed = maxTravel / (WalkFrames - 1.0);
            travel = maxTravel;
        }

        var leftToRight = rng.Next(2) == 0;
        var start = 4 + (rng.NextDouble() * (FrameWidth - chip - 8 - travel));
        var step = leftToRight ? speed : -speed;
        var startX = leftToRight ? start : start + travel;
        var band = (FrameHeight - 8) / rows;
        var yMin = 4 + (row * band);
        var yMax = Math.Max(yMin, yMin + band - chip - 4);
        var occluded = rng.NextDouble() < 0.3;
        var occlusion = occluded
            ? new Occlusion((OcclusionKind)(1 + rng.Next(3)), 0.15 + (0.15 * rng.NextDouble()))
            : Occlusion.None;
        return new PersonPlan(
            id,
            face,
            chip,
            startX,
            rng.Next(yMin, yMax + 1),
            step,
            LeadFrames + rng.Next(2),
            WalkFrames,
            RollDegrees: (rng.NextDouble() * 30) - 15,
            BlurFraction: rng.NextDouble() * 0.6,
            SideLight: rng.NextDouble() < 0.5 ? 0.45 + (0.45 * rng.NextDouble()) : 1.0,
            SideLightFromLeft: rng.Next(2) == 0,
            occlusion,
            ((byte)rng.Next(20, 200), (byte)rng.Next(20, 200), (byte)rng.Next(20, 200)));
    }
}
