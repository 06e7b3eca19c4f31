using GlobalUpgrade.Errors;
using GlobalUpgrade.Validation;
using Xunit;

namespace GlobalUpgrade.Tests.Validation;

/// <summary>Paths to read must be files; paths to write must be creatable, checked before any work starts.</summary>
public sealed class FileInputTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("gu-fileinput-").FullName;

    public void Dispose()
    {
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal);
        }

        Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void AnExistingFileIsReturned()
    {
        var file = Path.Combine(root, "kubeconfig");
        File.WriteAllText(file, "x");
        Assert.Equal(file, FileInput.Existing(file, "-Path"));
    }

    [Fact]
    public void AFolderToReadIsFileExpectedNotNotFound()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.Existing(root, "-Path"));
        Assert.Equal(ErrorIds.FileExpected, ex.ErrorId);
        Assert.Equal(FailureCategory.InvalidArgument, ex.Category);
        Assert.Contains(root, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFileToReadCarriesTheCallersId()
    {
        var missing = Path.Combine(root, "nosuch.json");
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.Existing(missing, "-SnapshotPath", ErrorIds.SnapshotPathInvalid));
        Assert.Equal(ErrorIds.SnapshotPathInvalid, ex.ErrorId);
        Assert.Equal(FailureCategory.ObjectNotFound, ex.Category);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileToWriteInAnExistingFolderIsReturnedAsAFullPath()
    {
        var target = Path.Combine(root, "report.md");
        Assert.Equal(target, FileInput.ToWrite(target, "-Path"));
        Assert.False(File.Exists(target)); // checking never leaves a file behind
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [Fact]
    public void AFolderToWriteIsRefusedAskingForAFileNameInside()
    {
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.ToWrite(root, "-Path"));
        Assert.Equal(ErrorIds.OutputPathInvalid, ex.ErrorId);
        Assert.Contains("is a folder", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFolderIsNotCreatedButNamed()
    {
        var folder = Path.Combine(root, "missing", "deeper");
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.ToWrite(Path.Combine(folder, "journal.json"), "-JournalPath"));
        Assert.Equal(ErrorIds.OutputPathInvalid, ex.ErrorId);
        Assert.Contains(folder, ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "missing")));
    }

    [Fact]
    public void AFileUsedAsAFolderIsNamed()
    {
        var file = Path.Combine(root, "plain.txt");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.ToWrite(Path.Combine(file, "journal.json"), "-JournalPath"));
        Assert.Equal(ErrorIds.OutputPathInvalid, ex.ErrorId);
        Assert.Contains($"'{file}' is a file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadOnlyFileToReplaceIsPermissionDenied()
    {
        var file = Path.Combine(root, "journal.json");
        File.WriteAllText(file, "{}");
        File.SetAttributes(file, FileAttributes.ReadOnly);
        var ex = Assert.Throws<GlobalUpgradeException>(() => FileInput.ToWrite(file, "-JournalPath"));
        Assert.Equal(ErrorIds.OutputPathInvalid, ex.ErrorId);
        Assert.Equal(FailureCategory.PermissionDenied, ex.Category);
    }
}
