namespace FogLens.EdgeAgent.Detection;

/// <summary>
/// MediaPipe's "weighted" non-maximum suppression: detections overlapping the best remaining one by
/// more than the IoU threshold are merged into it, the box being their score-weighted average.
/// Steadier boxes than hard NMS, which helps tracking and crop quality.
/// </summary>
public static class WeightedNms
{
    public static List<FaceDetection> Apply(List<FaceDetection> detections, float iouThreshold)
    {
        ArgumentNullException.ThrowIfNull(detections);
        detections.Sort((a, b) => b.Score.CompareTo(a.Score));
        var result = new List<FaceDetection>();
        var used = new bool[detections.Count];
        for (var i = 0; i < detections.Count; i++)
        {
            if (used[i])
            {
                continue;
            }

            var top = detections[i];
            double sx = 0, sy = 0, sr = 0, sb = 0, weight = 0;
            for (var j = i; j < detections.Count; j++)
            {
                if (used[j] || top.IoU(detections[j]) < iouThreshold)
                {
                    continue;
                }

                used[j] = true;
                var d = detections[j];
                sx += d.X * d.Score;
                sy += d.Y * d.Score;
                sr += d.Right * d.Score;
                sb += d.Bottom * d.Score;
                weight += d.Score;
            }

            var x = (float)(sx / weight);
            var y = (float)(sy / weight);
            result.Add(new FaceDetection(x, y, (float)(sr / weight) - x, (float)(sb / weight) - y, top.Score));
        }

        return result;
    }
}
