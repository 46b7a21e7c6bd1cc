/*
 * fdt_test.c - tests for lib/fdt.c (suite "fdt").
 *
 * The cases build device tree blobs in memory with the small builder
 * below, shaped like the one QEMU virt passes (see "qemu-system-riscv64
 * -machine virt,dumpdtb=virt.dtb"), then parse them, or corrupt one field
 * and expect a negative return.
 *
 * Every blob is parsed from the very end of a static buffer, so that on
 * the host AddressSanitizer reports any read past totalsize.
 */
#include <kernel/ktest.h>
#include <kernel/fdt.h>
#include <kernel/string.h>

#define FDT_MAGIC 0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* Header field offsets and sizes, as in the device tree specification. */
#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSVMAP 16
#define HDR_VERSION 20
#define HDR_LAST_COMP 24
#define HDR_BOOT_CPUID 28
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36
#define HDR_SIZE 40
#define RSVMAP_SIZE 16 /* just the terminating (0, 0) entry */

/*
 * The builder collects the structure and strings blocks separately and
 * fb_finish() lays them out after the header:
 *
 *	0    header (40 bytes)
 *	40   memory reservation map, empty (16 zero bytes)
 *	56   structure block
 *	     strings block
 */
struct fdt_builder {
	uint8_t structs[2048];
	uint32_t struct_len;
	char strings[512];
	uint32_t strings_len;
	uint8_t image[3072];
	uint32_t image_len;
	bool overflow;
};

static struct fdt_builder fb;
static uint8_t fdt_space[3072];

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void fb_reset(struct fdt_builder *b)
{
	memset(b, 0, sizeof(*b));
}

static void fb_bytes(struct fdt_builder *b, const void *p, uint32_t n)
{
	if (n == 0)
		return;
	if (b->struct_len + n > sizeof(b->structs)) {
		b->overflow = true;
		return;
	}
	memcpy(b->structs + b->struct_len, p, n);
	b->struct_len += n;
}

static void fb_u32(struct fdt_builder *b, uint32_t v)
{
	uint8_t be[4];

	put_be32(be, v);
	fb_bytes(b, be, 4);
}

static void fb_pad(struct fdt_builder *b)
{
	static const uint8_t zeros[3];

	fb_bytes(b, zeros, -b->struct_len & 3);
}

/* Offset of name in the strings block, adding it if it is new. */
static uint32_t fb_string(struct fdt_builder *b, const char *name)
{
	uint32_t off = 0, len = (uint32_t)strlen(name) + 1;

	while (off < b->strings_len) {
		if (strcmp(b->strings + off, name) == 0)
			return off;
		off += (uint32_t)strlen(b->strings + off) + 1;
	}
	if (b->strings_len + len > sizeof(b->strings)) {
		b->overflow = true;
		return 0;
	}
	memcpy(b->strings + off, name, len);
	b->strings_len += len;
	return off;
}

static void fb_begin_node(struct fdt_builder *b, const char *name)
{
	fb_u32(b, FDT_BEGIN_NODE);
	fb_bytes(b, name, (uint32_t)strlen(name) + 1);
	fb_pad(b);
}

static void fb_end_node(struct fdt_builder *b)
{
	fb_u32(b, FDT_END_NODE);
}

/* Returns the offset of the PROP token within the structure block. */
static uint32_t fb_prop(struct fdt_builder *b, const char *name,
			const void *val, uint32_t len)
{
	uint32_t at = b->struct_len;

	fb_u32(b, FDT_PROP);
	fb_u32(b, len);
	fb_u32(b, fb_string(b, name));
	fb_bytes(b, val, len);
	fb_pad(b);
	return at;
}

static uint32_t fb_prop_cells(struct fdt_builder *b, const char *name,
			      const uint32_t *cells, uint32_t n)
{
	uint8_t be[8 * 4];
	uint32_t i;

	if (n > 8) {
		b->overflow = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		put_be32(be + 4 * i, cells[i]);
	return fb_prop(b, name, be, 4 * n);
}

static uint32_t fb_prop_u32(struct fdt_builder *b, const char *name, uint32_t v)
{
	return fb_prop_cells(b, name, &v, 1);
}

static uint32_t fb_prop_str(struct fdt_builder *b, const char *name,
			    const char *s)
{
	return fb_prop(b, name, s, (uint32_t)strlen(s) + 1);
}

static void fb_end(struct fdt_builder *b)
{
	fb_u32(b, FDT_END);
}

/* Lay out the blob in b->image; returns its size, 0 if it did not fit. */
static uint32_t fb_finish(struct fdt_builder *b)
{
	uint8_t *h = b->image;
	uint32_t off_struct = HDR_SIZE + RSVMAP_SIZE;
	uint32_t off_strings = off_struct + b->struct_len;
	uint32_t total = off_strings + b->strings_len;

	if (b->overflow || total > sizeof(b->image))
		return 0;
	memset(b->image, 0, sizeof(b->image));
	put_be32(h + HDR_MAGIC, FDT_MAGIC);
	put_be32(h + HDR_TOTALSIZE, total);
	put_be32(h + HDR_OFF_STRUCT, off_struct);
	put_be32(h + HDR_OFF_STRINGS, off_strings);
	put_be32(h + HDR_OFF_RSVMAP, HDR_SIZE);
	put_be32(h + HDR_VERSION, 17);
	put_be32(h + HDR_LAST_COMP, 16);
	put_be32(h + HDR_BOOT_CPUID, 0);
	put_be32(h + HDR_SIZE_STRINGS, b->strings_len);
	put_be32(h + HDR_SIZE_STRUCT, b->struct_len);
	memcpy(b->image + off_struct, b->structs, b->struct_len);
	memcpy(b->image + off_strings, b->strings, b->strings_len);
	b->image_len = total;
	return total;
}

static void set_header(struct fdt_builder *b, uint32_t field, uint32_t v)
{
	put_be32(b->image + field, v);
}

/* Overwrite a u32 in the structure block of the finished image. */
static void set_struct_u32(struct fdt_builder *b, uint32_t off, uint32_t v)
{
	put_be32(b->image + HDR_SIZE + RSVMAP_SIZE + off, v);
}

/*
 * Parse the image as the header's totalsize describes it, from the end
 * of fdt_space: a read past totalsize is a read past the buffer.
 */
static int parse(struct fdt_builder *b, struct fdt_info *info)
{
	uint32_t size = get_be32(b->image + HDR_TOTALSIZE);
	uint8_t *blob;

	if (size > b->image_len)
		size = b->image_len;
	if (size < HDR_SIZE)
		size = HDR_SIZE;
	blob = fdt_space + sizeof(fdt_space) - size;
	memcpy(blob, b->image, size);
	return fdt_parse(blob, info);
}

/* Offsets of properties the negative cases corrupt. */
struct virt_props {
	uint32_t bootargs;
	uint32_t timebase;
	uint32_t root_end; /* the root's END_NODE token */
};

static void add_cpu(struct fdt_builder *b, const char *name, uint32_t id)
{
	fb_begin_node(b, name);
	fb_prop_str(b, "device_type", "cpu");
	fb_prop_u32(b, "reg", id);
	fb_prop_str(b, "status", "okay");
	fb_prop_str(b, "riscv,isa", "rv64imac");
	fb_prop_u32(b, "phandle", id + 1);
	fb_begin_node(b, "interrupt-controller");
	fb_prop_u32(b, "#interrupt-cells", 1);
	fb_prop(b, "interrupt-controller", NULL, 0);
	fb_prop_str(b, "compatible", "riscv,cpu-intc");
	fb_end_node(b);
	fb_end_node(b);
}

static void add_core(struct fdt_builder *b, const char *name, uint32_t cpu)
{
	fb_begin_node(b, name);
	fb_prop_u32(b, "cpu", cpu);
	fb_end_node(b);
}

/*
 * The tree QEMU virt builds for "-smp 3 -m 128M", trimmed:
 *
 *	/ { #address-cells = <2>; #size-cells = <2>;
 *	    chosen { bootargs = "ktest=page foo"; stdout-path = ...; };
 *	    memory@80000000 { device_type = "memory";
 *	                      reg = <0 0x80000000 0 0x8000000>; };
 *	    cpus { #address-cells = <1>; #size-cells = <0>;
 *	           timebase-frequency = <10000000>;
 *	           cpu@0 { ...; interrupt-controller { ... }; };
 *	           cpu@1 { ... }; cpu@2 { ... };
 *	           cpu-map { cluster0 { core0..2 { cpu = <...>; }; }; }; };
 *	    soc { uart@10000000 { ... }; };
 *	};
 */
static uint32_t build_virt(struct fdt_builder *b, struct virt_props *props)
{
	static const uint32_t mem_reg[] = { 0, 0x80000000, 0, 0x8000000 };
	static const uint32_t uart_reg[] = { 0, 0x10000000, 0, 0x100 };
	struct virt_props unused;

	if (!props)
		props = &unused;
	fb_reset(b);
	fb_begin_node(b, "");
	fb_prop_u32(b, "#address-cells", 2);
	fb_prop_u32(b, "#size-cells", 2);
	fb_prop_str(b, "compatible", "riscv-virtio");
	fb_prop_str(b, "model", "riscv-virtio,qemu");

	fb_begin_node(b, "chosen");
	props->bootargs = fb_prop_str(b, "bootargs", "ktest=page foo");
	fb_prop_str(b, "stdout-path", "/soc/serial@10000000");
	fb_end_node(b);

	fb_begin_node(b, "memory@80000000");
	fb_prop_str(b, "device_type", "memory");
	fb_prop_cells(b, "reg", mem_reg, 4);
	fb_end_node(b);

	fb_begin_node(b, "cpus");
	fb_prop_u32(b, "#address-cells", 1);
	fb_prop_u32(b, "#size-cells", 0);
	props->timebase = fb_prop_u32(b, "timebase-frequency", 10000000);
	add_cpu(b, "cpu@0", 0);
	add_cpu(b, "cpu@1", 1);
	add_cpu(b, "cpu@2", 2);
	fb_begin_node(b, "cpu-map");
	fb_begin_node(b, "cluster0");
	add_core(b, "core0", 1);
	add_core(b, "core1", 2);
	add_core(b, "core2", 3);
	fb_end_node(b);
	fb_end_node(b);
	fb_end_node(b);

	fb_begin_node(b, "soc");
	fb_prop_u32(b, "#address-cells", 2);
	fb_prop_u32(b, "#size-cells", 2);
	fb_begin_node(b, "serial@10000000");
	fb_prop_cells(b, "reg", uart_reg, 4);
	fb_prop_str(b, "compatible", "ns16550a");
	fb_end_node(b);
	fb_end_node(b);

	props->root_end = b->struct_len;
	fb_end_node(b);
	fb_end(b);
	return fb_finish(b);
}

KTEST(fdt, parses_qemu_virt_tree)
{
	struct fdt_info info;
	uint32_t size = build_virt(&fb, NULL);

	KASSERT_TRUE(t, size > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.nr_harts, 3);
	KEXPECT_EQ(t, info.timebase_hz, 10000000);
	KEXPECT_EQ(t, info.mem_base, 0x80000000ULL);
	KEXPECT_EQ(t, info.mem_size, 0x8000000ULL);
	KEXPECT_STREQ(t, info.bootargs, "ktest=page foo");
	KEXPECT_EQ(t, info.blob_size, size);
}

KTEST(fdt, bootargs_point_into_blob)
{
	struct fdt_info info;
	const char *start = (const char *)fdt_space;
	const char *end = start + sizeof(fdt_space);

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_TRUE(t, info.bootargs >= start && info.bootargs < end);
}

/*
 * A root with the given #address-cells and #size-cells (left out when 0)
 * and one memory node holding reg, parsed into info.
 */
static int parse_memory_tree(struct fdt_info *info, uint32_t address_cells,
			     uint32_t size_cells, const char *node,
			     const uint32_t *reg, uint32_t ncells)
{
	fb_reset(&fb);
	fb_begin_node(&fb, "");
	if (address_cells)
		fb_prop_u32(&fb, "#address-cells", address_cells);
	if (size_cells)
		fb_prop_u32(&fb, "#size-cells", size_cells);
	fb_begin_node(&fb, node);
	fb_prop_cells(&fb, "reg", reg, ncells);
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end(&fb);
	if (fb_finish(&fb) == 0)
		return -100; /* the builder overflowed */
	return parse(&fb, info);
}

KTEST(fdt, reads_64_bit_memory_cells)
{
	static const uint32_t reg[] = { 0x1, 0x80000000, 0x2, 0x40000000 };
	struct fdt_info info = { 0 };

	KASSERT_EQ(t,
		   parse_memory_tree(&info, 2, 2, "memory@180000000", reg, 4),
		   0);
	KEXPECT_EQ(t, info.mem_base, 0x180000000ULL);
	KEXPECT_EQ(t, info.mem_size, 0x240000000ULL);
}

KTEST(fdt, one_cell_memory_reg)
{
	static const uint32_t reg[] = { 0x80000000, 0x4000000 };
	struct fdt_info info = { 0 };

	KASSERT_EQ(t, parse_memory_tree(&info, 1, 1, "memory", reg, 2), 0);
	KEXPECT_EQ(t, info.mem_base, 0x80000000ULL);
	KEXPECT_EQ(t, info.mem_size, 0x4000000ULL);
}

KTEST(fdt, root_cells_default_to_2_and_1)
{
	static const uint32_t reg[] = { 0, 0x80000000, 0x1000000 };
	struct fdt_info info = { 0 };

	KASSERT_EQ(t, parse_memory_tree(&info, 0, 0, "memory@80000000", reg, 3),
		   0);
	KEXPECT_EQ(t, info.mem_base, 0x80000000ULL);
	KEXPECT_EQ(t, info.mem_size, 0x1000000ULL);
}

KTEST(fdt, only_first_memory_node_counts)
{
	static const uint32_t first[] = { 0x80000000, 0x1000 };
	static const uint32_t second[] = { 0x90000000, 0x2000 };
	struct fdt_info info;

	fb_reset(&fb);
	fb_begin_node(&fb, "");
	fb_prop_u32(&fb, "#address-cells", 1);
	fb_prop_u32(&fb, "#size-cells", 1);
	fb_begin_node(&fb, "memoryless");
	fb_prop_cells(&fb, "reg", second, 2);
	fb_end_node(&fb);
	fb_begin_node(&fb, "memory@80000000");
	fb_prop_cells(&fb, "reg", first, 2);
	fb_end_node(&fb);
	fb_begin_node(&fb, "memory@90000000");
	fb_prop_cells(&fb, "reg", second, 2);
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.mem_base, 0x80000000ULL);
	KEXPECT_EQ(t, info.mem_size, 0x1000ULL);
}

KTEST(fdt, counts_only_cpu_nodes_directly_under_cpus)
{
	struct fdt_info info;

	fb_reset(&fb);
	fb_begin_node(&fb, "");
	fb_begin_node(&fb, "cpus");
	fb_begin_node(&fb, "cpu@0");
	fb_begin_node(&fb, "cpu@9"); /* grandchild: not a hart */
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_begin_node(&fb, "cpu-map"); /* no '@': not a hart */
	fb_end_node(&fb);
	fb_begin_node(&fb, "cpu@1");
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_begin_node(&fb, "soc");
	fb_begin_node(&fb, "cpu@5"); /* not under /cpus */
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.nr_harts, 2);
}

KTEST(fdt, absent_values_get_defaults)
{
	struct fdt_info info;

	fb_reset(&fb);
	fb_begin_node(&fb, "");
	fb_begin_node(&fb, "chosen");
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.nr_harts, 0);
	KEXPECT_EQ(t, info.timebase_hz, 0);
	KEXPECT_EQ(t, info.mem_base, 0);
	KEXPECT_EQ(t, info.mem_size, 0);
	KASSERT_NOT_NULL(t, info.bootargs);
	KEXPECT_STREQ(t, info.bootargs, "");
}

KTEST(fdt, nop_tokens_are_skipped)
{
	struct fdt_info info;

	fb_reset(&fb);
	fb_u32(&fb, FDT_NOP);
	fb_begin_node(&fb, "");
	fb_u32(&fb, FDT_NOP);
	fb_begin_node(&fb, "cpus");
	fb_u32(&fb, FDT_NOP);
	fb_prop_u32(&fb, "timebase-frequency", 1000000);
	fb_begin_node(&fb, "cpu@0");
	fb_end_node(&fb);
	fb_u32(&fb, FDT_NOP);
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_u32(&fb, FDT_NOP);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.nr_harts, 1);
	KEXPECT_EQ(t, info.timebase_hz, 1000000);
}

KTEST(fdt, accepts_version_16_header)
{
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_VERSION, 16);
	/* Version 16 has no size_dt_struct; a reader must not use it. */
	set_header(&fb, HDR_SIZE_STRUCT, 0);
	KASSERT_EQ(t, parse(&fb, &info), 0);
	KEXPECT_EQ(t, info.nr_harts, 3);
	KEXPECT_STREQ(t, info.bootargs, "ktest=page foo");
}

KTEST(fdt, rejects_bad_magic)
{
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_MAGIC, 0xedfe0dd0);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_incompatible_version)
{
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_VERSION, 15);
	set_header(&fb, HDR_LAST_COMP, 15);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	set_header(&fb, HDR_VERSION, 18);
	set_header(&fb, HDR_LAST_COMP, 18);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	/* Newer, but readable by a version 17 reader. */
	set_header(&fb, HDR_VERSION, 18);
	set_header(&fb, HDR_LAST_COMP, 16);
	KEXPECT_EQ(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_truncated_totalsize)
{
	struct fdt_info info;
	uint32_t size = build_virt(&fb, NULL);

	KASSERT_TRUE(t, size > 0);
	/* Cut into the strings block. */
	set_header(&fb, HDR_TOTALSIZE, size - 4);
	KEXPECT_LT(t, parse(&fb, &info), 0);
	/* Cut into the structure block. */
	set_header(&fb, HDR_TOTALSIZE, HDR_SIZE + RSVMAP_SIZE + 8);
	KEXPECT_LT(t, parse(&fb, &info), 0);
	/* Shorter than the header itself. */
	set_header(&fb, HDR_TOTALSIZE, 8);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_blocks_outside_blob)
{
	struct fdt_info info;
	uint32_t size = build_virt(&fb, NULL);

	KASSERT_TRUE(t, size > 0);
	set_header(&fb, HDR_SIZE_STRINGS, 0xfffffff0);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_OFF_STRUCT, size);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_OFF_STRUCT, HDR_SIZE + RSVMAP_SIZE + 2);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_OFF_RSVMAP, size - 8);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_property_running_past_block)
{
	struct virt_props props = { 0 };
	struct fdt_info info;
	uint32_t size = build_virt(&fb, &props);

	KASSERT_TRUE(t, size > 0);
	/* Length field of bootargs: past the structure block. */
	set_struct_u32(&fb, props.bootargs + 4, fb.struct_len);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	/* A length that wraps a 32-bit offset around. */
	set_struct_u32(&fb, props.bootargs + 4, 0xfffffffc);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_name_offset_outside_strings)
{
	struct virt_props props = { 0 };
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, &props) > 0);
	set_struct_u32(&fb, props.timebase + 8, fb.strings_len);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_wrong_size_timebase)
{
	struct virt_props props = { 0 };
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, &props) > 0);
	set_struct_u32(&fb, props.timebase + 4, 2);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_unterminated_bootargs)
{
	struct virt_props props = { 0 };
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, &props) > 0);
	/* Drop the NUL from the length: "ktest=page foo" is 14 bytes. */
	set_struct_u32(&fb, props.bootargs + 4, 14);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_unbalanced_nodes)
{
	struct virt_props props = { 0 };
	struct fdt_info info;

	/* The root is never closed: END comes at depth 1. */
	KASSERT_TRUE(t, build_virt(&fb, &props) > 0);
	set_struct_u32(&fb, props.root_end, FDT_NOP);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	/* One END_NODE too many. */
	fb_reset(&fb);
	fb_begin_node(&fb, "");
	fb_end_node(&fb);
	fb_end_node(&fb);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KEXPECT_LT(t, parse(&fb, &info), 0);

	/* A second root. */
	fb_reset(&fb);
	fb_begin_node(&fb, "");
	fb_end_node(&fb);
	fb_begin_node(&fb, "");
	fb_end_node(&fb);
	fb_end(&fb);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_missing_end_token)
{
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, NULL) > 0);
	set_header(&fb, HDR_SIZE_STRUCT, fb.struct_len - 4);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_unknown_token)
{
	struct virt_props props = { 0 };
	struct fdt_info info;

	KASSERT_TRUE(t, build_virt(&fb, &props) > 0);
	set_struct_u32(&fb, props.root_end, 5);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}

KTEST(fdt, rejects_unterminated_node_name)
{
	struct fdt_info info;

	/* A node name that runs to the end of the structure block. */
	fb_reset(&fb);
	fb_u32(&fb, FDT_BEGIN_NODE);
	fb_bytes(&fb, "abcdefgh", 8);
	KASSERT_TRUE(t, fb_finish(&fb) > 0);
	KEXPECT_LT(t, parse(&fb, &info), 0);
}
