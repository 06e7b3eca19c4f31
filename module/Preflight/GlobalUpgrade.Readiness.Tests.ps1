<#
.SYNOPSIS
    Every documented pre-upgrade condition of a target version, as a Pester suite an operator runs weeks before the
    window (Test-GlobalUpgradeReadiness).
.EXAMPLE
    $suite = Join-Path (Split-Path (Get-Module GlobalUpgrade -ListAvailable)[0].Path) 'Preflight/GlobalUpgrade.Readiness.Tests.ps1'
    $container = New-PesterContainer -Path $suite -Data @{ TargetVersion = '4.2'; Context = 'primary', 'standby'; Node = @{ KeyFilePath = '~/.ssh/id_ed25519'; UserName = 'root' } }
    Invoke-Pester -Container $container -Output Detailed
.NOTES
    Data: TargetVersion (required); Context (kube contexts of the global clusters, default: the current context);
    Kubeconfig (default: $env:KUBECONFIG, then ~/.kube/config); Node (node options of Test-GlobalUpgradeReadiness,
    e.g. @{ Local = $true } or SSH options; without them the node checks are not checked); Assumption; PackagePath.
    One Context per cluster, one It per condition and target, named '<Check> on <Target>'. A condition that could not
    be checked (NotChecked) fails with "NOT CHECKED" and what would check it: it is never passed. A documented step
    only a person can do (NotChecked "Needs a person") is Inconclusive with "NEEDS A PERSON" and the step: never
    passed, and not a failure of the cluster. If the clusters cannot be reached at all the container fails.
#>
param(
    [Parameter(Mandatory)] [string] $TargetVersion,
    [string[]] $Context,
    [string] $Kubeconfig,
    [hashtable] $Node = @{},
    [hashtable] $Assumption,
    [string] $PackagePath
)

BeforeDiscovery {
    # The suite ships inside the module folder: load that very module, whatever PSModulePath says.
    Import-Module (Join-Path (Split-Path $PSScriptRoot) "GlobalUpgrade.psd1") -ErrorAction Stop
    $names = [Collections.Generic.List[string]]::new()
    try {
        foreach ($ctx in $(if ($Context) { $Context } else { @($null) })) {
            $params = @{ Role = 'Standalone' }
            if ($ctx) { $params.Context = $ctx; $params.Name = $ctx }
            if ($Kubeconfig) { $params.Kubeconfig = $Kubeconfig }
            $names.Add((Connect-GlobalCluster @params -ErrorAction Stop).Name)
        }

        $options = @{ TargetVersion = $TargetVersion } + $Node
        if ($Assumption) { $options.Assumption = $Assumption }
        if ($PackagePath) { $options.PackagePath = $PackagePath }
        $clusters = foreach ($name in $names) {
            @{
                Cluster = $name
                Checks  = @(Test-GlobalUpgradeReadiness @options -Cluster $name -ErrorAction Stop |
                        ForEach-Object { @{ Check = $_.Check; Target = $_.Target; State = "$($_.State)"; Message = $_.Message; NeedsPerson = $_.Detail.NeedsPerson -eq $true } })
            }
        }
    }
    finally {
        if ($names.Count -gt 0) { Disconnect-GlobalCluster -Name $names -ErrorAction SilentlyContinue }
    }
}

Describe "Upgrade readiness for $TargetVersion" {
    Context '<Cluster>' -ForEach $clusters {
        It '<Check> on <Target>' -ForEach $Checks {
            if ($NeedsPerson -and $State -eq 'NotChecked') { Set-ItResult -Inconclusive -Because "NEEDS A PERSON: $Message"; return }
            $State | Should -Be 'Passed' -Because $(if ($State -eq 'NotChecked') { "NOT CHECKED: $Message" } else { $Message })
        }
    }
}
