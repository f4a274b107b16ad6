package io.jcni.libcni.runtime;

import io.jcni.libcni.ConfLoader;
import io.jcni.libcni.NetworkConfigList;
import io.jcni.libcni.types.CniException;
import io.jcni.libcni.types.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The networks of one configuration directory as loaded at one moment: an immutable snapshot, replaced as a
 * whole when the directory is reloaded.
 *
 * <p>Files are read as Go libcni searches them — every {@code .conflist} in name order, then every {@code .conf}
 * and {@code .json} in name order — but unlike Go's {@code LoadNetworkConf}, one bad file does not hide the
 * others: it becomes a {@link LoadError} naming the file, and the rest stay usable. When two files define the
 * same network name the first one wins (the one Go would find) and the other is reported.
 */
public final class NetworkSet {
  private static final List<String> CONFLIST = List.of(".conflist");
  private static final List<String> CONF = List.of(".conf", ".json");

  private final Path dir;
  private final long generation;
  private final Map<String, Network> networks;
  private final List<LoadError> errors;

  private NetworkSet(Path dir, long generation, Map<String, Network> networks, List<LoadError> errors) {
    this.dir = dir;
    this.generation = generation;
    this.networks = Collections.unmodifiableMap(networks);
    this.errors = List.copyOf(errors);
  }

  /** Loads every network of {@code dir}; a missing directory gives an empty set, as in Go. */
  static NetworkSet load(Path dir, long generation) {
    Map<String, Network> nets = new LinkedHashMap<>();
    List<LoadError> errors = new ArrayList<>();
    List<Path> lists;
    List<Path> singles;
    try {
      lists = ConfLoader.confFiles(dir, CONFLIST);
      singles = ConfLoader.confFiles(dir, CONF);
    } catch (CniException e) {
      errors.add(new LoadError(dir, e));
      return new NetworkSet(dir, generation, nets, errors);
    }
    for (Path f : lists) {
      try {
        add(nets, errors, new Network(ConfLoader.confListFromFile(f), f));
      } catch (CniException e) {
        errors.add(new LoadError(f, e));
      }
    }
    for (Path f : singles) {
      try {
        NetworkConfigList list = ConfLoader.confListFromConf(ConfLoader.pluginConfFromFile(f));
        add(nets, errors, new Network(list, f));
      } catch (CniException e) {
        errors.add(new LoadError(f, e.msg().contains(f.toString()) ? e : e.withPrefix(f + ": ")));
      }
    }
    return new NetworkSet(dir, generation, nets, errors);
  }

  private static void add(Map<String, Network> nets, List<LoadError> errors, Network n) {
    Network first = nets.putIfAbsent(n.name(), n);
    if (first != null) {
      errors.add(new LoadError(n.file(), new CniException(ErrorCode.INVALID_NETWORK_CONFIG,
          n.file() + ": network \"" + n.name() + "\" is already defined in " + first.file() + "; ignored")));
    }
  }

  /** The directory these networks were loaded from. */
  public Path dir() {
    return dir;
  }

  /** Counts loads: each reload gets a higher number. */
  public long generation() {
    return generation;
  }

  /** The usable networks, conflists first, each group in file-name order. */
  public List<Network> networks() {
    return List.copyOf(networks.values());
  }

  /** The names of the usable networks, in {@link #networks()} order. */
  public List<String> names() {
    return List.copyOf(networks.keySet());
  }

  /** The network called {@code name}, if a usable file defines it. */
  public Optional<Network> get(String name) {
    return Optional.ofNullable(networks.get(name));
  }

  /** The files that could not be used, each with its reason; empty when every file loaded. */
  public List<LoadError> errors() {
    return errors;
  }

  @Override
  public String toString() {
    return "NetworkSet[" + dir + " #" + generation + ": " + networks.keySet() + ", " + errors.size() + " errors]";
  }
}
