using FashionApi.Hosting;
namespace FashionApi.Tests.Docker;

/// <summary>docker/Dockerfile cannot be built on the development machines (no Docker engine), so these keep it from
/// silently drifting away from the repository and from itself. PublishedServiceTests runs what it describes.</summary>
public class DockerfileTests
{
    readonly DockerfileModel dockerfile = DockerfileModel.Load();

    [Fact]
    public void Every_path_copied_from_the_build_context_exists_in_the_repository()
    {
        var sources = dockerfile.ContextSources.ToList();
        Assert.NotEmpty(sources);
        var missing = sources.Where(source =>
            !File.Exists(Path.Combine(DockerfileModel.RepositoryRoot, source)) &&
            !Directory.Exists(Path.Combine(DockerfileModel.RepositoryRoot, source)));
        Assert.Empty(missing);
    }

    [Fact]
    public void Restore_and_publish_target_the_same_project_and_runtime()
    {
        string[] restore = dockerfile.DotnetCommand("restore"), publish = dockerfile.DotnetCommand("publish");

        // publish runs with --no-restore, so it only works for what restore restored.
        Assert.Contains("--no-restore", publish);
        Assert.Equal(restore[1], publish[1]);
        Assert.True(File.Exists(Path.Combine(DockerfileModel.RepositoryRoot, publish[1])), $"{publish[1]} does not exist");
        Assert.Equal(DockerfileModel.OptionValue(restore, "-r", "--runtime"), DockerfileModel.OptionValue(publish, "-r", "--runtime"));
        Assert.Equal("Release", DockerfileModel.OptionValue(publish, "-c", "--configuration"));
    }

    [Fact]
    public void The_runtime_stage_starts_what_was_published()
    {
        string publishedTo = DockerfileModel.OptionValue(dockerfile.DotnetCommand("publish"), "-o", "--output");
        var copy = Assert.Single(dockerfile.Runtime("COPY"), c => c.Arguments.Contains("--from="));
        Assert.Equal(publishedTo, copy.Words[^2].TrimEnd('/'));
        Assert.Equal(publishedTo, dockerfile.SingleRuntime("WORKDIR").Arguments);

        string project = Path.GetFileNameWithoutExtension(dockerfile.DotnetCommand("publish")[1]);
        Assert.Equal(["dotnet", $"{project}.dll"], dockerfile.Entrypoint);
    }

    [Fact]
    public void The_runtime_stage_runs_as_a_non_root_user()
    {
        string user = dockerfile.SingleRuntime("USER").Arguments.Split(':')[0];
        Assert.DoesNotContain(user, new[] { "root", "0" });
    }

    [Fact]
    public void The_port_is_exposed_listened_on_and_health_checked()
    {
        string port = dockerfile.SingleRuntime("EXPOSE").Arguments;
        Assert.Equal(port, dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"]);
        Assert.DoesNotContain("ASPNETCORE_URLS", dockerfile.RuntimeEnvironment.Keys); // would override HTTP_PORTS, with a warning

        foreach (string stage in new[] { "runtime", "serve" })
        {
            string healthcheck = Assert.Single(dockerfile.InStage(stage, "HEALTHCHECK")).Arguments;
            Assert.Contains($"/dev/tcp/127.0.0.1/{port}", healthcheck);
            Assert.Contains("GET /health/ready HTTP/1.0", healthcheck);
            Assert.Equal(port, Assert.Single(dockerfile.InStage(stage, "EXPOSE")).Arguments);
            Assert.Equal(port, dockerfile.EnvironmentOf(stage)["ASPNETCORE_HTTP_PORTS"]);
        }
    }

    [Fact]
    public void The_serve_target_runs_role_serve_like_the_default_image_but_without_libtorch()
    {
        Assert.Equal("runtime", dockerfile.StageNames[^1]); // docker build without --target builds the all-in-one image
        var serve = dockerfile.EnvironmentOf("serve");
        Assert.Equal(nameof(InstanceRole.Serve), serve["FashionApi__Role"], ignoreCase: true);
        Assert.DoesNotContain("FashionApi__Role", dockerfile.RuntimeEnvironment.Keys); // default role: all
        Assert.Equal(dockerfile.RuntimeEnvironment["FashionApi__ModelDirectory"], serve["FashionApi__ModelDirectory"]);
        Assert.Equal(Assert.Single(dockerfile.InStage("serve", "VOLUME")).Arguments, serve["FashionApi__ModelDirectory"]);
        Assert.Equal(dockerfile.SingleRuntime("USER").Arguments, Assert.Single(dockerfile.InStage("serve", "USER")).Arguments);
        Assert.Equal(dockerfile.SingleRuntime("ENTRYPOINT").Arguments, Assert.Single(dockerfile.InStage("serve", "ENTRYPOINT")).Arguments);

        // The serve stage copies the trimmed file set; the build stage removes every libtorch library from it.
        var copy = Assert.Single(dockerfile.InStage("serve", "COPY"), c => c.Arguments.Contains("--from=build"));
        string served = copy.Words[^2];
        var trim = Assert.Single(dockerfile.InStage("build", "RUN"), r => r.Arguments.Contains($"cd {served}"));
        foreach (string library in new[] { "libtorch*.so", "libc10.so", "libLibTorchSharp.so", "libgomp-*.so.*" })
            Assert.Contains(library, trim.Words);
        Assert.DoesNotContain(dockerfile.InStage("serve", "RUN"), r => r.Arguments.Contains("apt-get")); // nothing added to the base image
    }

    [Fact]
    public void Models_are_written_to_the_volume()
    {
        Assert.Equal(dockerfile.SingleRuntime("VOLUME").Arguments, dockerfile.RuntimeEnvironment["FashionApi__ModelDirectory"]);
    }
}
