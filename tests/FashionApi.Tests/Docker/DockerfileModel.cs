using System.Runtime.CompilerServices;
using System.Text.Json;

namespace FashionApi.Tests.Docker;

/// <summary>docker/Dockerfile read just far enough to check it against the repository and to run its build commands
/// and runtime settings outside Docker (the development machines have no Docker engine). Handles what that file uses:
/// comments, line continuations, stages, shell-form arguments without quoting, and exec-form ENTRYPOINT.</summary>
public sealed class DockerfileModel
{
    /// <param name="Keyword">Upper-case instruction, e.g. COPY.</param>
    /// <param name="Arguments">Everything after the keyword, continuation lines joined.</param>
    /// <param name="Stage">0 for the first FROM's stage, 1 for the next, ...</param>
    public sealed record Instruction(string Keyword, string Arguments, int Stage)
    {
        public string[] Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();
    public static string DockerfilePath => Path.Combine(RepositoryRoot, "docker", "Dockerfile");

    public IReadOnlyList<Instruction> Instructions { get; }

    DockerfileModel(IReadOnlyList<Instruction> instructions) => Instructions = instructions;

    public static DockerfileModel Load()
    {
        var instructions = new List<Instruction>();
        int stage = -1;
        string pending = "";
        foreach (string raw in File.ReadAllLines(DockerfilePath))
        {
            string line = raw.Trim();
            if (line.StartsWith('#')) continue; // Docker drops comment lines, even inside a continuation
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            line = (pending + line).Trim();
            pending = "";
            if (line.Length == 0) continue;
            int space = line.IndexOf(' ');
            string keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            if (keyword == "FROM") stage++;
            instructions.Add(new Instruction(keyword, space < 0 ? "" : line[(space + 1)..].Trim(), stage));
        }
        return new DockerfileModel(instructions);
    }

    int FinalStage => Instructions.Max(i => i.Stage);

    /// <summary>Stage names (<c>FROM image AS name</c>), the build targets <c>--target</c> accepts.</summary>
    public IReadOnlyList<string> StageNames =>
        Instructions.Where(i => i.Keyword == "FROM").Select(i => i.Words is [_, var a, var name] && a.Equals("AS", StringComparison.OrdinalIgnoreCase) ? name : "").ToList();

    /// <summary>The instructions of one keyword in the named stage.</summary>
    public IReadOnlyList<Instruction> InStage(string stage, string keyword)
    {
        int index = StageNames.ToList().IndexOf(stage);
        Assert.True(index >= 0, $"The Dockerfile has no stage named '{stage}'");
        return Instructions.Where(i => i.Stage == index && i.Keyword == keyword).ToList();
    }

    /// <summary>ENV of the named stage (KEY=VALUE form).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(string stage) => ParseEnvironment(InStage(stage, "ENV"));

    /// <summary>The instructions of one keyword in the final (runtime) stage.</summary>
    public IReadOnlyList<Instruction> Runtime(string keyword) =>
        Instructions.Where(i => i.Stage == FinalStage && i.Keyword == keyword).ToList();

    /// <summary>The single runtime instruction of <paramref name="keyword"/>; fails the test when there is not exactly one.</summary>
    public Instruction SingleRuntime(string keyword) => Assert.Single(Runtime(keyword));

    /// <summary>Paths COPY/ADD take from the build context (not from another stage), relative to the repository root.</summary>
    public IEnumerable<string> ContextSources =>
        Instructions.Where(i => i.Keyword is "COPY" or "ADD" && !i.Arguments.Contains("--from="))
            .SelectMany(i => i.Words.Where(w => !w.StartsWith("--")).SkipLast(1));

    /// <summary>The arguments of the single <c>RUN dotnet {verb} ...</c> (without "dotnet"), e.g. verb "publish".</summary>
    public string[] DotnetCommand(string verb)
    {
        var run = Assert.Single(Instructions, i => i.Keyword == "RUN" && i.Arguments.StartsWith($"dotnet {verb} ", StringComparison.Ordinal));
        return run.Words[1..];
    }

    /// <summary>The value following <paramref name="option"/> in a command's arguments.</summary>
    public static string OptionValue(string[] arguments, params string[] option)
    {
        int at = Array.FindIndex(arguments, a => option.Contains(a));
        Assert.True(at >= 0 && at + 1 < arguments.Length, $"'{string.Join(" ", arguments)}' has no {option[0]} value");
        return arguments[at + 1];
    }

    /// <summary>ENV of the runtime stage (KEY=VALUE form, values without spaces or quotes).</summary>
    public IReadOnlyDictionary<string, string> RuntimeEnvironment => ParseEnvironment(Runtime("ENV"));

    static Dictionary<string, string> ParseEnvironment(IEnumerable<Instruction> env) =>
        env.SelectMany(i => i.Words).Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : throw new FormatException($"ENV '{pair[0]}' is not KEY=VALUE"));

    /// <summary>The exec-form ENTRYPOINT of the runtime stage.</summary>
    public string[] Entrypoint => JsonSerializer.Deserialize<string[]>(SingleRuntime("ENTRYPOINT").Arguments)
                                  ?? throw new FormatException("ENTRYPOINT is not an exec-form JSON array");

    // The test assembly may be built anywhere (e.g. dotnet test --artifacts-path), so find the repository from this
    // source file's compile-time path rather than from the test binaries' location.
    static string FindRepositoryRoot([CallerFilePath] string sourceFile = "")
    {
        for (var directory = new DirectoryInfo(Path.GetDirectoryName(sourceFile)!); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "FashionApi.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No FashionApi.sln above {sourceFile}");
    }
}
