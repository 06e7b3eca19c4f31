# A real client no one here wrote: the documented kubectl commands (the etcd synchronizer's verification, the
# machines check, the ClusterVersionShadow request, the monitor's /check, a strategic patch) run with the real kubectl against the
# simulator's kubeconfig and against a simulator seeded from a snapshot, as a rehearsal's is; their answers are checked.
# CI must have kubectl (build.ps1 Bootstrap installs the Debian package kubernetes-client); elsewhere a missing kubectl
# skips these tests with the reason.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    $script:kubectlCommand = Get-Command kubectl -CommandType Application -ErrorAction Ignore | Select-Object -First 1

    # Every test starts here: no kubectl fails in CI and skips elsewhere, never silently.
    function Assert-Kubectl {
        if ($kubectlCommand) { return $true }
        if ($env:CI -eq 'true') { throw 'kubectl is not installed: CI must run the documented kubectl commands (build.ps1 -Task Bootstrap installs the Debian package kubernetes-client).' }
        Set-ItResult -Skipped -Because 'kubectl is not installed (Debian: apt-get install kubernetes-client)'
        $false
    }

    # Starts kubectl on one context of a simulator (its kubeconfig, a cache of its own), output redirected.
    function Start-Kubectl($Simulator, [string] $Context, [string[]] $Arguments, [int] $TimeoutSec = 30) {
        $info = [Diagnostics.ProcessStartInfo]::new($kubectlCommand.Source)
        foreach ($a in @('--kubeconfig', $Simulator.Kubeconfig, '--context', $Context, '--cache-dir', (Join-Path $Simulator.Directory 'kube-cache'), '--request-timeout', "$($TimeoutSec)s") + $Arguments) { $info.ArgumentList.Add($a) }
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        [Diagnostics.Process]::Start($info)
    }

    # Runs kubectl; returns its output lines, exit code and error text.
    function Invoke-Kubectl($Simulator, [string] $Context, [string[]] $Arguments) {
        $p = Start-Kubectl $Simulator $Context $Arguments
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEnd()
        $p.WaitForExit()
        [pscustomobject]@{ ExitCode = $p.ExitCode; Lines = @($stdout -split '\r?\n' | Where-Object { $_ }); Text = $stdout.Trim(); Error = $stderr.Result.Trim() }
    }

    # kubectl that must succeed, written as the docs write it (kube $sim standby get po -n cpaas-system ...). A plain
    # function: its $args take kubectl's flags as they are, where an advanced one would bind -o or -w to its own.
    function kube($Simulator, [string] $Context) {
        $Arguments = [string[]]$args
        $r = Invoke-Kubectl $Simulator $Context $Arguments
        if ($r.ExitCode -ne 0) { throw "kubectl $($Arguments -join ' ') failed ($($r.ExitCode)): $($r.Error)" }
        $r
    }

    # Starts a streaming kubectl (logs -f, get -w) and returns the first output line matching -Pattern, waiting for it
    # as it arrives; -TimeoutSec bounds the wait, and the process is ended either way.
    function Wait-KubectlLine($Simulator, [string] $Context, [string[]] $Arguments, [string] $Pattern, [int] $TimeoutSec = 60, [scriptblock] $OnStarted) {
        $p = Start-Kubectl $Simulator $Context $Arguments $TimeoutSec
        $stderr = $p.StandardError.ReadToEndAsync()
        $seen = [Collections.Generic.List[string]]::new()
        try {
            $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSec)
            $started = $false
            while ($true) {
                $read = $p.StandardOutput.ReadLineAsync()
                $left = [int][Math]::Max(0, ($deadline - [datetime]::UtcNow).TotalMilliseconds)
                if (-not $read.Wait($left)) { throw "kubectl $($Arguments -join ' '): no line matching '$Pattern' within $TimeoutSec s. Seen: $($seen -join ' | ')" }
                $line = $read.Result
                if ($null -eq $line) { throw "kubectl $($Arguments -join ' ') ended without a line matching '$Pattern'. Seen: $($seen -join ' | '). Error: $($stderr.Result)" }
                $seen.Add($line)
                if (-not $started -and $OnStarted) { $started = $true; & $OnStarted }
                if ($line -match $Pattern) { return $line }
            }
        }
        finally {
            if (-not $p.HasExited) { $p.Kill($true) }
            $p.WaitForExit()
        }
    }
}

Describe 'kubectl against the simulator: the documented commands' -Tag CI, Kubectl {
    BeforeAll {
        # 4.3.0: the synchronizer on the standby takes lease etcd-sync-mirror; the CVO offers 4.3.1.
        $script:sim = Start-TestSimulator -Scenario v4.3.0 -Dr -TimeScale 0.1
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'kubectl wait finds the synchronizer pod Ready, and get -l shows it 1/1 Running with the server-side columns' {
        if (-not (Assert-Kubectl)) { return }
        kube $sim standby wait --for=condition=Ready pod -l app=etcd-sync -n cpaas-system --timeout=60s | Out-Null
        # kubectl get po -n cpaas-system -l app=etcd-sync  # 1/1 Running
        $r = kube $sim standby get po -n cpaas-system -l app=etcd-sync
        $r.Lines[0] | Should -Match '^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$'
        # From 4.3 the synchronizer runs several replicas, one of them the leader [doc release-4.3 DRI "Step 3"].
        $pods = @($r.Lines | Select-Object -Skip 1)
        $pods.Count | Should -BeGreaterThan 0
        foreach ($pod in $pods) { $pod | Should -Match '^etcd-sync-\S+\s+1/1\s+Running\s+0\s+\d+[smhd]' }
    }

    It 'kubectl finds the leader (the lease holder, among the pods listed --no-headers); its logs show "Start Sync update"' {
        if (-not (Assert-Kubectl)) { return }
        kube $sim standby wait --for=condition=Ready pod -l app=etcd-sync -n cpaas-system --timeout=60s | Out-Null
        # $(kubectl get po -n cpaas-system -l app=etcd-sync --no-headers | awk '{print $1}')
        $pods = @((kube $sim standby get po -n cpaas-system -l app=etcd-sync --no-headers).Lines | ForEach-Object { ($_ -split '\s+')[0] })
        $pods | Should -Not -BeNullOrEmpty
        # kubectl get lease etcd-sync-mirror -n cpaas-system -o jsonpath='{.spec.holderIdentity}'
        $leader = (kube $sim standby get lease etcd-sync-mirror -n cpaas-system -o 'jsonpath={.spec.holderIdentity}').Text
        $pods | Should -Contain $leader
        $line = Wait-KubectlLine $sim standby @('logs', '-f', '-n', 'cpaas-system', $leader) -Pattern '(?i)Start Sync update'
        $line | Should -Match 'Start Sync update'
        (kube $sim standby logs -n cpaas-system $leader).Lines | Should -Contain $line
        ((kube $sim standby get po -n cpaas-system -l app=etcd-sync -o 'jsonpath={.items[*].metadata.name}').Text -split ' ') | Should -Be $pods
    }

    It 'kubectl delete po of the leader replaces the pod: get -w sees the new one, whose log reads 400 until it runs; the lease moves to a running pod, which syncs' {
        if (-not (Assert-Kubectl)) { return }
        kube $sim standby wait --for=condition=Ready pod -l app=etcd-sync -n cpaas-system --timeout=60s | Out-Null
        # The documented restart deletes the leader: the lease holder.
        $old = (kube $sim standby get lease etcd-sync-mirror -n cpaas-system -o 'jsonpath={.spec.holderIdentity}').Text
        $old | Should -Match '^etcd-sync-'
        # The watch is open (its first line printed) before the delete: the new pod arrives as a watch event.
        $newLine = Wait-KubectlLine $sim standby @('get', 'po', '-n', 'cpaas-system', '-l', 'app=etcd-sync', '-w') -Pattern "^(?!$([regex]::Escape($old))\s)etcd-sync-\S+\s+0/1\s" -OnStarted {
            $script:deleted = kube $sim standby delete po -n cpaas-system $old --wait=false
        }
        $script:deleted.Text | Should -Be "pod `"$old`" deleted"
        $newLine | Should -Match '^etcd-sync-\S+\s+0/1\s+\S+\s+\d+\s+\d+'
        $new = ($newLine -split '\s+')[0]
        # While the container waits to start, kubectl logs is refused as by a real server (or it already runs).
        $early = Invoke-Kubectl $sim standby @('logs', '-n', 'cpaas-system', $new)
        if ($early.ExitCode -ne 0) { $early.Error | Should -Match "container `"etcd-sync`" in pod `"$new`" is waiting to start" }
        kube $sim standby wait --for=condition=Ready pod $new -n cpaas-system --timeout=60s | Out-Null
        Wait-KubectlLine $sim standby @('logs', '-f', '-n', 'cpaas-system', $new) -Pattern 'starting etcd-sync' | Should -Match 'starting etcd-sync'
        # The lease goes to a pod that runs (the new one or the other replica, whichever takes it), and that pod syncs.
        $holder = Wait-KubectlLine $sim standby @('get', 'lease', 'etcd-sync-mirror', '-n', 'cpaas-system', '-w', '-o', 'jsonpath={.spec.holderIdentity}{"\n"}') -Pattern "^(?!$([regex]::Escape($old))$)etcd-sync-\S+$"
        @((kube $sim standby get po -n cpaas-system -l app=etcd-sync -o 'jsonpath={.items[*].metadata.name}').Text -split ' ') | Should -Contain $holder
        Wait-KubectlLine $sim standby @('logs', '-f', '-n', 'cpaas-system', $holder) -Pattern 'Start Sync update' | Should -Match 'Start Sync update'
    }

    It 'kubectl get --raw reads the monitor''s /check through the service proxy; the jsonpath gives the service''s clusterIP' {
        if (-not (Assert-Kubectl)) { return }
        kube $sim standby wait --for=condition=Ready pod -l app=etcd-sync -n cpaas-system --timeout=60s | Out-Null
        # curl "$(kubectl get svc -n cpaas-system etcd-sync-monitor -ojsonpath='{.spec.clusterIP}')/check"
        (kube $sim standby get svc -n cpaas-system etcd-sync-monitor '-ojsonpath={.spec.clusterIP}').Text | Should -Match '^\d+\.\d+\.\d+\.\d+$'
        $port = (kube $sim standby get svc -n cpaas-system etcd-sync-monitor '-ojsonpath={.spec.ports[0].port}').Text
        $check = kube $sim standby get --raw "/api/v1/namespaces/cpaas-system/services/etcd-sync-monitor:$port/proxy/check"
        $check.Text | Should -Match 'LOCAL ETCD missed keys'
    }

    It 'kubectl get machines.platform.tkestack.io lists every machine; a status field selector is refused as on a real server' {
        if (-not (Assert-Kubectl)) { return }
        foreach ($context in 'primary', 'standby') {
            $r = kube $sim $context get machines.platform.tkestack.io
            $r.Lines[0] | Should -Match '^NAME\s+AGE$'
            @($r.Lines | Select-Object -Skip 1).Count | Should -Be @((Invoke-SimAdmin -Simulator $sim -Cluster $context -Path '/apis/platform.tkestack.io/v1/machines').items).Count
        }
        $refused = Invoke-Kubectl $sim primary @('get', 'machines.platform.tkestack.io', '--field-selector', 'status.phase!=Running')
        $refused.ExitCode | Should -Not -Be 0
        $refused.Error | Should -Match 'is not a known field selector'
    }

    It 'kubectl get moduleinfoes shows the CRD''s printer columns' {
        if (-not (Assert-Kubectl)) { return }
        $r = kube $sim standby get moduleinfoes -l cpaas.io/module-name=etcd-sync
        $r.Lines[0] | Should -Match '^NAME\s+CLUSTER\s+MODULE\s+DISPLAY_NAME\s+STATUS\s+TARGET_VERSION\s+CURRENT_VERSION\s+NEW_VERSION$'
        $r.Lines[1] | Should -Match '\s+etcd-sync\s+'
    }

    It 'kubectl patch cvsh --type merge requests the upgrade; the default strategic patch is refused (415) on the custom resource' {
        if (-not (Assert-Kubectl)) { return }
        $before = (kube $sim primary get cvsh global -n cpaas-system -o 'jsonpath={.spec.desiredUpdate.version}').Text
        $before | Should -Not -Be '4.3.1'
        $strategic = Invoke-Kubectl $sim primary @('patch', 'cvsh', 'global', '-n', 'cpaas-system', '-p', '{"spec":{"desiredUpdate":{"version":"4.3.1"}}}')
        $strategic.ExitCode | Should -Not -Be 0
        $strategic.Error | Should -Match 'strategic-merge-patch\+json is not supported'
        (kube $sim primary get cvsh global -n cpaas-system -o 'jsonpath={.spec.desiredUpdate.version}').Text | Should -Be $before

        (kube $sim primary patch cvsh global -n cpaas-system --type merge -p '{"spec":{"desiredUpdate":{"version":"4.3.1"}}}').Text | Should -Match 'clusterversionshadow.config.alauda.io/global patched'
        (kube $sim primary get cvsh global -n cpaas-system -o 'jsonpath={.spec.desiredUpdate.version}').Text | Should -Be '4.3.1'
        # The CVO answers in the status; kubectl wait watches for it.
        kube $sim primary wait cvsh/global -n cpaas-system '--for=jsonpath={.status.desired.version}=4.3.1' --timeout=60s | Out-Null
    }

    It 'kubectl patch (its default strategic type) on a deployment merges the containers by name: the one not named stays' {
        if (-not (Assert-Kubectl)) { return }
        # Created from a file (sent as JSON; `create deployment` sends protobuf, which the simulator does not read), without
        # client-side validation (the simulator serves no OpenAPI document).
        $manifest = Join-Path $sim.Directory 'smp-web.json'
        Set-Content -LiteralPath $manifest -Value '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"smp-web","namespace":"cpaas-system"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"smp-web"}},"template":{"metadata":{"labels":{"app":"smp-web"}},"spec":{"containers":[{"name":"app","image":"registry.example/app:1"}]}}}}'
        kube $sim primary create -f $manifest --validate=false | Out-Null
        (kube $sim primary get deployment smp-web -n cpaas-system -o 'jsonpath={.spec.template.spec.containers[*].name}').Text | Should -Be 'app'
        (kube $sim primary patch deployment smp-web -n cpaas-system -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"side:1"}]}}}}').Text | Should -Be 'deployment.apps/smp-web patched'
        (kube $sim primary get deployment smp-web -n cpaas-system -o 'jsonpath={.spec.template.spec.containers[*].name}').Text | Should -Be 'app sidecar'
        (kube $sim primary get deployment smp-web -n cpaas-system -o 'jsonpath={.spec.template.spec.containers[*].image}').Text | Should -Be 'registry.example/app:1 side:1'
    }
}

Describe 'kubectl against a simulator seeded from a snapshot, as a rehearsal runs it' -Tag CI, Kubectl {
    BeforeAll {
        Import-Module $env:GLOBALUPGRADE_MODULE -Force
        $script:source = Start-TestSimulator -Scenario v4.3.0 -Dr -TimeScale 0.1
        Connect-SimPair $source
        $script:snapshot = Join-Path $source.Directory 'pair.snapshot.json'
        Export-GlobalClusterSnapshot -Path $snapshot | Out-Null
        $script:rehearsal = Start-TestSimulator -Snapshot $snapshot -TimeScale 0.1
    }
    AfterAll {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Stop-TestSimulator $rehearsal
        Stop-TestSimulator $source
    }

    It 'the operator''s inspection commands answer from the seeded objects' {
        if (-not (Assert-Kubectl)) { return }
        (kube $rehearsal primary get machines.platform.tkestack.io --no-headers).Lines.Count | Should -Be @((Invoke-SimAdmin -Simulator $source -Cluster primary -Path '/apis/platform.tkestack.io/v1/machines').items).Count
        (kube $rehearsal primary get cvsh global -n cpaas-system -o 'jsonpath={.status.current.version}').Text | Should -Be ((Invoke-SimAdmin -Simulator $source -Cluster primary -Path '/apis/config.alauda.io/v1/namespaces/cpaas-system/clusterversionshadows/global').status.current.version)
        kube $rehearsal standby wait --for=condition=Ready pod -l app=etcd-sync -n cpaas-system --timeout=60s | Out-Null
        $r = kube $rehearsal standby get po -n cpaas-system -l app=etcd-sync
        $r.Lines[0] | Should -Match '^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$'
        $r.Lines[1] | Should -Match '\s1/1\s+Running\s'
        $holder = (kube $rehearsal standby get lease etcd-sync-mirror -n cpaas-system -o 'jsonpath={.spec.holderIdentity}').Text
        ($r.Lines | Select-Object -Skip 1 | ForEach-Object { ($_ -split '\s+')[0] }) | Should -Contain $holder
    }
}
