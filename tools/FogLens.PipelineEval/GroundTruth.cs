using FogLens.EdgeAgent.Detection;

namespace FogLens.PipelineEval;

/// <summary>Where each person's face is in a frame, and which person a published track belongs to.</summary>
public static class GroundTruth
{
    /// <summary>Lowest IoU between a track's best box and a face's true box for the track to count as that person.</summary>
    public const double MinIoU = 0.25;

    /// <summary>The true face box of a visible person in a frame.</summary>
    public static FaceDetection FaceBox(PersonPlan person, int frame)
    {
        ArgumentNullException.ThrowIfNull(person);
        var (x, y, side) = ChipGeometry.FaceBox(Math.Round(person.X(frame)), person.Y, person.ChipSide);
        return new FaceDetection((float)x, (float)y, (float)side, (float)side, 1f);
    }

    /// <summary>The person whose true box overlaps <paramref name="box"/> most (IoU ≥ <see cref="MinIoU"/>) in that frame, or null.</summary>
    public static PersonPlan? Match(ClipPlan clip, FaceDetection box, int frame)
    {
        ArgumentNullException.ThrowIfNull(clip);
        PersonPlan? best = null;
        var bestIoU = MinIoU;
        foreach (var person in clip.People)
        {
            if (!person.IsVisible(frame))
            {
                continue;
            }

            var iou = FaceBox(person, frame).IoU(box);
            if (iou >= bestIoU)
            {
                best = person;
                bestIoU = iou;
            }
        }

        return best;
    }
}
