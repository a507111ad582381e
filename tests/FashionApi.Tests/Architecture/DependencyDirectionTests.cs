using System.Reflection;
using System.Text.RegularExpressions;
using FashionApi.Dataset;
using FashionApi.Tests.Docker;
using NetArchTest.Rules;

namespace FashionApi.Tests.Architecture;

/// <summary>
/// The folders of <c>src/FashionApi</c> are its architecture, and dependencies point one way: the web features
/// (<c>Predictions/</c>, <c>Training/</c>, <c>Models/</c>, <c>Samples/</c>, <c>Page/</c>, <c>Status/</c>,
/// <c>Hosting/</c>) use the core <c>Softmax/</c>, which uses <c>Dataset/</c>, which uses nothing of the service. The
/// core and the dataset know nothing of ASP.NET Core. Checked on the compiled assembly (every signature, attribute and
/// method body), so a dependency cannot hide behind a global using.
/// </summary>
public class DependencyDirectionTests
{
    static readonly Assembly Service = typeof(FashionMnist).Assembly;

    const string Dataset = "FashionApi.Dataset";
    const string Core = "FashionApi.Softmax";

    /// <summary>Every namespace that is neither the core nor the dataset: the web features and their hosting.</summary>
    static readonly string[] WebFeatures =
    [
        "FashionApi.Predictions", "FashionApi.Training", "FashionApi.Models", "FashionApi.Samples",
        "FashionApi.Page", "FashionApi.Status", "FashionApi.Hosting", "FashionApi.OpenInference",
    ];

    const string AspNetCore = "Microsoft.AspNetCore";

    [Fact]
    public void Every_type_lives_in_a_known_namespace()
    {
        var namespaces = ServiceTypes().Select(t => t.Namespace).Distinct().Order().ToList();
        Assert.All(namespaces, ns => Assert.Contains(ns, WebFeatures.Append(Core).Append(Dataset)));
    }

    [Fact]
    public void Every_source_file_declares_the_namespace_its_folder_names()
    {
        // Read from the sources rather than the assembly: enums and records without method bodies leave no file path
        // in the debugging symbols.
        string project = Path.Combine(DockerfileModel.RepositoryRoot, "src", "FashionApi");
        var misplaced = SourceFiles(project)
            .Where(file => Path.GetFileName(file) != "Program.cs")
            .Select(file => (file, expected: "FashionApi." + Path.GetRelativePath(project, Path.GetDirectoryName(file)!).Replace('/', '.'),
                             declared: Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+);", RegexOptions.Multiline).Groups[1].Value))
            .Where(f => f.declared != f.expected)
            .Select(f => $"{Path.GetRelativePath(project, f.file)} declares '{f.declared}', its folder says '{f.expected}'")
            .ToList();
        Assert.True(misplaced.Count == 0, string.Join("\n", misplaced));
    }

    [Fact]
    public void The_README_folder_map_names_every_source_file()
    {
        string project = Path.Combine(DockerfileModel.RepositoryRoot, "src", "FashionApi");
        var rows = File.ReadAllLines(Path.Combine(DockerfileModel.RepositoryRoot, "README.md"))
            .Select(line => Regex.Match(line, @"^\| `(\w+)/` \|(.*)$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var missing = SourceFiles(project)
            .Where(file => Path.GetFileName(file) != "Program.cs")
            .Select(file => (folder: Path.GetRelativePath(project, Path.GetDirectoryName(file)!), name: Path.GetFileNameWithoutExtension(file)))
            .Where(f => !rows.TryGetValue(f.folder, out string? row) || !row.Contains($"`{f.name}`"))
            .Select(f => $"{f.folder}/{f.name}.cs")
            .ToList();
        Assert.True(missing.Count == 0, "The README's folder map (\"How it is built\") does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_dataset_depends_on_nothing_else_of_the_service_and_not_on_ASP_NET_Core()
    {
        var result = Types.InAssembly(Service).That().ResideInNamespace(Dataset)
            .ShouldNot().HaveDependencyOnAny([Core, .. WebFeatures, AspNetCore]).GetResult();
        Assert.True(result.IsSuccessful, Describe("of Dataset/ that depend on the core, a web feature or ASP.NET Core", result));
    }

    [Fact]
    public void The_softmax_core_depends_on_the_dataset_only_and_not_on_ASP_NET_Core()
    {
        var result = Types.InAssembly(Service).That().ResideInNamespace(Core)
            .ShouldNot().HaveDependencyOnAny([.. WebFeatures, AspNetCore]).GetResult();
        Assert.True(result.IsSuccessful, Describe("of Softmax/ that depend on a web feature or ASP.NET Core", result));
    }

    [Fact]
    public void The_rule_sees_dependencies_where_they_exist()
    {
        // Guards the guard: the features do use the core and ASP.NET Core, so a rule that found nothing here would be
        // looking at the wrong assembly or the wrong names.
        var features = Types.InAssembly(Service).That().ResideInNamespace("FashionApi.Predictions");
        Assert.False(features.ShouldNot().HaveDependencyOnAny(Core).GetResult().IsSuccessful);
        Assert.False(Types.InAssembly(Service).That().ResideInNamespace("FashionApi.Predictions")
            .ShouldNot().HaveDependencyOnAny(AspNetCore).GetResult().IsSuccessful);
        Assert.False(Types.InAssembly(Service).That().ResideInNamespace(Core)
            .ShouldNot().HaveDependencyOnAny(Dataset).GetResult().IsSuccessful);
    }

    /// <summary>The service's source files (not the build's output).</summary>
    internal static IEnumerable<string> SourceFiles(string project) => Directory
        .EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
        .Where(file => !Path.GetRelativePath(project, file).Split('/').Any(part => part is "bin" or "obj"));

    /// <summary>The service's own types (not the compiler's, not the top-level <c>Program</c>).</summary>
    static IEnumerable<Type> ServiceTypes() => Service.GetTypes()
        .Where(t => t.Namespace is not null && !t.Name.StartsWith('<') && t.DeclaringType is null
                    && t.Namespace.StartsWith("FashionApi", StringComparison.Ordinal)
                    && !t.Namespace.StartsWith("Microsoft", StringComparison.Ordinal));

    static string Describe(string what, TestResult result) => result.IsSuccessful ? "" :
        $"Types {what}:\n" + string.Join("\n", result.FailingTypes.Select(t => $"  {t.FullName}: {t.Explanation}"));
}
