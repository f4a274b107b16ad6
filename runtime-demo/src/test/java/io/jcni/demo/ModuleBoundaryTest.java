package io.jcni.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jcni.libcni.CniConfig;
import io.jcni.plugins.skel.Skel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The API boundary of jcni's modules, read from their compiled module descriptors: internal packages are exported
 * only to jcni's own modules, every other package of the library modules is API, and no public signature in an
 * exported package names an internal type.
 */
class ModuleBoundaryTest {
  private static final Set<String> JCNI = Set.of("io.jcni.libcni", "io.jcni.plugins", "io.jcni.demo");
  private static final Map<String, ModuleReference> MODULES = modules();

  @Test
  void internalPackagesAreExportedOnlyToJcniModules() {
    List<String> wrong = new ArrayList<>();
    for (ModuleReference m : MODULES.values()) {
      ModuleDescriptor d = m.descriptor();
      for (ModuleDescriptor.Exports e : d.exports()) {
        boolean internal = isInternal(e.source());
        if (!e.isQualified() && (internal || d.name().equals("io.jcni.demo"))) {
          wrong.add(d.name() + " exports " + e.source() + " to everyone");
        }
        if (e.isQualified() && !JCNI.containsAll(e.targets())) {
          wrong.add(d.name() + " exports " + e.source() + " to " + e.targets());
        }
        if (e.isQualified() && !internal) {
          wrong.add(d.name() + " exports API package " + e.source() + " only to " + e.targets());
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void everyLibraryPackageIsApiOrInternal() {
    List<String> unexported = new ArrayList<>();
    for (String name : List.of("io.jcni.libcni", "io.jcni.plugins")) {
      ModuleDescriptor d = MODULES.get(name).descriptor();
      Set<String> api = unqualifiedExports(d);
      for (String p : new TreeSet<>(d.packages())) {
        if (!isInternal(p) && !api.contains(p)) {
          unexported.add(name + ": " + p + " is neither exported nor named internal");
        }
      }
    }
    assertEquals(List.of(), unexported);
  }

  @Test
  void apiSignaturesNameNoInternalType() throws IOException {
    Set<String> api = new HashSet<>();
    Set<String> jcniPackages = new HashSet<>();
    for (ModuleReference m : MODULES.values()) {
      api.addAll(unqualifiedExports(m.descriptor()));
      jcniPackages.addAll(m.descriptor().packages());
    }
    Function<Class<?>, Boolean> hidden = c -> jcniPackages.contains(c.getPackageName())
        && !api.contains(c.getPackageName());
    Set<String> leaks = new TreeSet<>();
    List<Class<?>> checked = new ArrayList<>();
    for (ModuleReference m : MODULES.values()) {
      for (Class<?> c : classesIn(m, api)) {
        if (!visibleFromOutside(c)) {
          continue;
        }
        checked.add(c);
        for (Type t : signature(c)) {
          for (Class<?> used : rawTypes(t, new HashSet<>())) {
            if (hidden.apply(used)) {
              leaks.add(c.getName() + " exposes " + used.getName());
            }
          }
        }
      }
    }
    assertTrue(checked.contains(CniConfig.class) && checked.contains(Skel.class), "API classes were not scanned");
    assertEquals(Set.of(), leaks);
  }

  @Test
  void pluginsProvideWhatTheServicesFileLists() throws IOException {
    ModuleReference plugins = MODULES.get("io.jcni.plugins");
    Set<String> provided = plugins.descriptor().provides().stream()
        .filter(p -> p.service().equals("io.jcni.libcni.spi.CniPlugin"))
        .flatMap(p -> p.providers().stream()).collect(Collectors.toCollection(TreeSet::new));
    Set<String> listed;
    try (ModuleReader r = plugins.open();
        InputStream in = r.open("META-INF/services/io.jcni.libcni.spi.CniPlugin").orElseThrow()) {
      listed = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(listed, provided, "module-info's provides and META-INF/services differ (class path vs module path)");
  }

  private static boolean isInternal(String pkg) {
    return pkg.contains(".internal.") || pkg.endsWith(".internal");
  }

  private static Set<String> unqualifiedExports(ModuleDescriptor d) {
    return d.exports().stream().filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
        .collect(Collectors.toSet());
  }

  /** jcni's three modules, from the directories or jars their classes were loaded from. */
  private static Map<String, ModuleReference> modules() {
    Path[] roots = {location(CniConfig.class), location(Skel.class), location(Main.class)};
    Map<String, ModuleReference> found = ModuleFinder.of(roots).findAll().stream()
        .collect(Collectors.toMap(r -> r.descriptor().name(), r -> r));
    assertEquals(JCNI, found.keySet(), "module descriptors under " + List.of(roots));
    return found;
  }

  private static Path location(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Class<?>> classesIn(ModuleReference m, Set<String> packages) throws IOException {
    List<Class<?>> out = new ArrayList<>();
    try (ModuleReader r = m.open()) {
      for (String entry : r.list().sorted().toList()) {
        if (!entry.endsWith(".class") || entry.endsWith("module-info.class") || entry.endsWith("package-info.class")) {
          continue;
        }
        String name = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
        if (!packages.contains(name.substring(0, name.lastIndexOf('.')))) {
          continue;
        }
        try {
          out.add(Class.forName(name, false, ModuleBoundaryTest.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
          throw new AssertionError(name + " listed in " + m.descriptor().name() + " but not loadable", e);
        }
      }
    }
    return out;
  }

  private static boolean visibleFromOutside(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()) {
        return false;
      }
    }
    return true;
  }

  /** Every type a caller or subclass outside the module can see in {@code c}'s declaration. */
  private static List<Type> signature(Class<?> c) {
    List<Type> types = new ArrayList<>();
    if (c.getGenericSuperclass() != null) {
      types.add(c.getGenericSuperclass());
    }
    types.addAll(List.of(c.getGenericInterfaces()));
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        types.add(rc.getGenericType());
      }
    }
    boolean subclassable = !Modifier.isFinal(c.getModifiers()) && !c.isSealed();
    for (Field f : c.getDeclaredFields()) {
      if (visible(f.getModifiers(), subclassable) && !f.isSynthetic()) {
        types.add(f.getGenericType());
      }
    }
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k.getModifiers(), subclassable) && !k.isSynthetic()) {
        types.addAll(List.of(k.getGenericParameterTypes()));
        types.addAll(List.of(k.getGenericExceptionTypes()));
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m.getModifiers(), subclassable) && !m.isSynthetic() && !m.isBridge()) {
        types.add(m.getGenericReturnType());
        types.addAll(List.of(m.getGenericParameterTypes()));
        types.addAll(List.of(m.getGenericExceptionTypes()));
      }
    }
    return types;
  }

  private static boolean visible(int modifiers, boolean subclassable) {
    return Modifier.isPublic(modifiers) || (subclassable && Modifier.isProtected(modifiers));
  }

  private static Set<Class<?>> rawTypes(Type t, Set<Type> seen) {
    Set<Class<?>> out = new HashSet<>();
    if (!seen.add(t)) {
      return out;
    }
    if (t instanceof Class<?> c) {
      while (c.isArray()) {
        c = c.getComponentType();
      }
      out.add(c);
    } else if (t instanceof ParameterizedType p) {
      out.addAll(rawTypes(p.getRawType(), seen));
      for (Type a : p.getActualTypeArguments()) {
        out.addAll(rawTypes(a, seen));
      }
    } else if (t instanceof GenericArrayType g) {
      out.addAll(rawTypes(g.getGenericComponentType(), seen));
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        out.addAll(rawTypes(b, seen));
      }
      for (Type b : w.getLowerBounds()) {
        out.addAll(rawTypes(b, seen));
      }
    } else if (t instanceof TypeVariable<?> v) {
      for (Type b : v.getBounds()) {
        out.addAll(rawTypes(b, seen));
      }
    }
    return out;
  }
}
