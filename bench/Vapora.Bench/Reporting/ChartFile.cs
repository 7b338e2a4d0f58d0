using ScottPlot;

namespace Vapora.Bench.Reporting;

/// <summary>Where charts are written: a PNG, or an SVG where Skia's native library cannot load.</summary>
internal static class ChartFile
{
    /// <summary>Writes <paramref name="pathWithoutExtension"/>.png (or .svg); returns the file.</summary>
    public static string Save(Plot plot, string pathWithoutExtension)
    {
        try
        {
            var png = pathWithoutExtension + ".png";
            plot.SavePng(png, 1000, 600);
            return png;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException)
        {
            var svg = pathWithoutExtension + ".svg";
            plot.SaveSvg(svg, 1000, 600);
            return svg;
        }
    }
}
