// Command golibcni is jcni's own small driver around the real Go libcni, used only by the interop tests
// (runtime-demo's GoLibcniInteropTest) to prove that Go libcni and jcni read each other's cache.
//
// It is not shipped. The tests build it from Debian's packaged libcni (golang-github-appc-cni-dev, libcni 1.1.2,
// Go 1.19), offline and without modules:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o golibcni ./test-bin/golibcni
//
// Usage:
//
//	golibcni <add|check|del|cachedresult|cachedconfig> <cacheDir> <confDir> <network> <netns> <containerId> <ifname>
//
// The environment gives CNI_PATH (plugin directories, ':'-separated), CAP_ARGS (a JSON object of capability args)
// and CNI_ARGS ("K=V;K2=V2"). add prints the result, cachedresult the cached result ("null" when there is none),
// cachedconfig {"config": <base64 of the cached bytes>, "runtimeConf": {...}} (or "null"), all as JSON on stdout.
// Any error is one line on stderr and exit status 1.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "golibcni: "+strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 7 {
		return fmt.Errorf("usage: golibcni <add|check|del|cachedresult|cachedconfig> <cacheDir> <confDir> <network> <netns> <containerId> <ifname>")
	}
	cmd, cacheDir, confDir, network, netns, containerID, ifName := args[0], args[1], args[2], args[3], args[4], args[5], args[6]

	list, err := libcni.LoadConfList(confDir, network)
	if err != nil {
		return err
	}
	rt, err := runtimeConf(netns, containerID, ifName)
	if err != nil {
		return err
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), cacheDir, nil)
	ctx := context.Background()

	switch cmd {
	case "add":
		res, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			return err
		}
		return printJSON(res)
	case "check":
		return cni.CheckNetworkList(ctx, list, rt)
	case "del":
		return cni.DelNetworkList(ctx, list, rt)
	case "cachedresult":
		res, err := cni.GetNetworkListCachedResult(list, rt)
		if err != nil {
			return err
		}
		return printJSON(res)
	case "cachedconfig":
		conf, cachedRt, err := cni.GetNetworkListCachedConfig(list, rt)
		if err != nil {
			return err
		}
		if conf == nil {
			return printJSON(nil)
		}
		// []byte marshals as base64, so the caller can compare the exact bytes.
		return printJSON(map[string]interface{}{"config": conf, "runtimeConf": cachedRt})
	default:
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func runtimeConf(netns, containerID, ifName string) (*libcni.RuntimeConf, error) {
	rt := &libcni.RuntimeConf{ContainerID: containerID, NetNS: netns, IfName: ifName}
	if raw := os.Getenv("CNI_ARGS"); raw != "" {
		for _, pair := range strings.Split(raw, ";") {
			kv := strings.SplitN(pair, "=", 2)
			if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
				return nil, fmt.Errorf("CNI_ARGS: invalid pair %q", pair)
			}
			rt.Args = append(rt.Args, [2]string{kv[0], kv[1]})
		}
	}
	if raw := os.Getenv("CAP_ARGS"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &rt.CapabilityArgs); err != nil {
			return nil, fmt.Errorf("CAP_ARGS: %v", err)
		}
	}
	return rt, nil
}

func printJSON(v interface{}) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(b))
	return err
}
