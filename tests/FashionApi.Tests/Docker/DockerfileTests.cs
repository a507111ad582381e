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
    public void Both_ports_are_kestrel_endpoints_exposed_and_the_http_one_is_health_checked()
    {
        string http = HttpPort(dockerfile.RuntimeEnvironment), grpc = GrpcPort(dockerfile.RuntimeEnvironment);
        Assert.Equal($"{http} {grpc}", dockerfile.SingleRuntime("EXPOSE").Arguments);
        Assert.Equal("Http2", dockerfile.RuntimeEnvironment["Kestrel__Endpoints__Grpc__Protocols"]); // gRPC needs HTTP/2 without TLS
        // Endpoints override ASPNETCORE_URLS and HTTP_PORTS with a warning at every start: neither may be set.
        Assert.DoesNotContain("ASPNETCORE_URLS", dockerfile.RuntimeEnvironment.Keys);
        Assert.Equal("", dockerfile.RuntimeEnvironment["ASPNETCORE_HTTP_PORTS"]); // emptied, as the real base image sets it

        foreach (string stage in new[] { "runtime", "serve" })
        {
            var environment = dockerfile.EnvironmentOf(stage);
            string healthcheck = Assert.Single(dockerfile.InStage(stage, "HEALTHCHECK")).Arguments;
            Assert.Contains($"/dev/tcp/127.0.0.1/{HttpPort(environment)}", healthcheck);
            Assert.Contains("GET /health/ready HTTP/1.0", healthcheck);
            Assert.Equal($"{HttpPort(environment)} {GrpcPort(environment)}", Assert.Single(dockerfile.InStage(stage, "EXPOSE")).Arguments);
            Assert.Equal((http, grpc), (HttpPort(environment), GrpcPort(environment)));
        }
    }

    /// <summary>The port of Kestrel's <c>Http</c> endpoint (<c>http://+:8080</c>) in an image's environment.</summary>
    public static string HttpPort(IReadOnlyDictionary<string, string> environment) => Port(environment["Kestrel__Endpoints__Http__Url"]);

    /// <summary>The port of Kestrel's <c>Grpc</c> endpoint.</summary>
    public static string GrpcPort(IReadOnlyDictionary<string, string> environment) => Port(environment["Kestrel__Endpoints__Grpc__Url"]);

    static string Port(string url) => url.Split(':')[^1].TrimEnd('/');

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
