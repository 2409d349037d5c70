using FogLens.AgeModel;

namespace FogLens.PipelineEval;

/// <summary>
/// The evaluation's rules, without I/O: recall (people with at least one track), duplicates (further
/// tracks of found people), false tracks (tracks of nobody, per minute of video at 25 fps), age MAE,
/// CS(5) and signed error over the tracks of people, per true age group too, and the total variation
/// distance between the true age-group histogram of the people and the histogram the portal would show
/// (every published track counted in its predicted group). Tracks of nobody are also counted apart on
/// photo backgrounds (false detections) and on the video (which may be its real, unlabelled passers-by).
/// </summary>
public static class PipelineScoring
{
    public const double FramesPerSecond = 25;

    public static SizeMetrics Score(int? size, IReadOnlyList<PersonTruth> people, IReadOnlyList<TrackResult> tracks, int frames, AgeGroupSet groups, int videoFrames = 0)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(tracks);
        ArgumentNullException.ThrowIfNull(groups);
        var found = new HashSet<int>();
        var errors = new List<double>();
        var falseTracks = 0;
        var falseOnVideo = 0;
        var ofPeople = 0;
        var groupErrors = new List<double>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            groupErrors[g] = [];
        }

        var counted = new double[groups.Count];
        foreach (var track in tracks)
        {
            if (track.PredictedGroup >= 0)
            {
                counted[track.PredictedGroup]++;
            }

            if (track.PersonId is not { } id || track.TrueAge is not { } age)
            {
                falseTracks++;
                falseOnVideo += track.OnVideo ? 1 : 0;
                continue;
            }

            ofPeople++;
            found.Add(id);
            if (track.PredictedAge is { } predicted)
            {
                var error = predicted - age;
                errors.Add(error);
                groupErrors[groups.IndexOf(age)].Add(error);
            }
        }

        var truth = new double[groups.Count];
        var peopleInGroup = new int[groups.Count];
        foreach (var person in people)
        {
            var g = groups.IndexOf(person.Age);
            truth[g]++;
            peopleInGroup[g]++;
        }

        var tv = HistogramDistance.TotalVariation(truth, counted);

        var perGroup = new List<GroupMetrics>(groups.Count);
        for (var g = 0; g < groups.Count; g++)
        {
            var e = groupErrors[g];
            perGroup.Add(new GroupMetrics(groups.Groups[g].Label, peopleInGroup[g], e.Count, Mean(e, Math.Abs), Mean(e, v => v)));
        }

        var widths = tracks.Select(t => (double)t.CropWidth).Order().ToList();
        var minutes = frames / FramesPerSecond / 60.0;
        return new SizeMetrics(
            size,
            people.Count,
            tracks.Count,
            frames,
            people.Count == 0 ? 0 : (double)found.Count / people.Count,
            Mean(errors, Math.Abs),
            errors.Count == 0 ? null : errors.Count(e => Math.Abs(e) <= 5) / (double)errors.Count,
            tv,
            Mean(errors, v => v),
            people.Count == 0 ? 0 : (double)(ofPeople - found.Count) / people.Count,
            minutes <= 0 ? 0 : falseTracks / minutes,
            widths.Count == 0 ? null : widths[widths.Count / 2],
            perGroup)
        {
            FalseTracksPerMinPhoto = PerMinute(falseTracks - falseOnVideo, frames - videoFrames),
            FalseTracksPerMinVideo = PerMinute(falseOnVideo, videoFrames),
        };
    }

    private static double? PerMinute(int count, int frames) => frames <= 0 ? null : count / (frames / FramesPerSecond / 60.0);

    private static double? Mean(List<double> values, Func<double, double> f)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sum = 0.0;
        foreach (var v in values)
        {
            sum += f(v);
        }

        return sum / values.Count;
    }
}
