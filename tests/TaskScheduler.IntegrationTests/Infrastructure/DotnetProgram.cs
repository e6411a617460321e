using System.Diagnostics;
using System.Text;

namespace TaskScheduler.IntegrationTests.Infrastructure;

/// <summary>How the tests start a built program: `dotnet PROGRAM.dll ARGS`, every stream redirected.</summary>
public static class DotnetProgram
{
    public static ProcessStartInfo StartInfo(string dll, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
