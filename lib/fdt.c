/*
 * fdt.c - a one-pass reader for the flattened device tree QEMU passes in a1.
 *
 * fdt_parse() checks the header, then walks the structure block once and
 * picks out the few values RVOS needs (include/kernel/fdt.h).  The blob
 * comes from outside the kernel, so every offset and length is checked
 * against totalsize before it is used, and all reads go byte by byte:
 * the fields are big-endian and nothing guarantees their alignment.
 *
 * Blob layout (all header fields are big-endian u32):
 *
 *	0               header: magic totalsize off_dt_struct off_dt_strings
 *	                off_mem_rsvmap version last_comp_version
 *	                boot_cpuid_phys size_dt_strings [size_dt_struct, v17]
 *	off_mem_rsvmap  reserved memory, (u64 address, u64 size) pairs
 *	                ending with 0, 0
 *	off_dt_struct   structure block, a stream of 4-byte-aligned tokens:
 *	                  BEGIN_NODE  name\0 pad
 *	                  PROP        u32 len, u32 nameoff, value[len] pad
 *	                  END_NODE  NOP  END
 *	off_dt_strings  strings block: property names, NUL-terminated
 *	totalsize
 *
 * Nodes nest by BEGIN_NODE/END_NODE pairs, the root (named "") outermost,
 * and a node's properties come before its children.
 */
#include <kernel/fdt.h>
#include <kernel/string.h>

#define FDT_MAGIC 0xd00dfeedU

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* Byte offsets of the header fields. */
#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_OFF_RSVMAP 16
#define HDR_VERSION 20
#define HDR_LAST_COMP 24
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36

/* Version 16 headers end before size_dt_struct. */
#define HDR_SIZE_V16 36
#define HDR_SIZE_V17 40

#define RSVMAP_ENTRY_SIZE 16

/* Why fdt_parse() failed, for whoever debugs a bad blob. */
enum {
	FDT_ERR_MAGIC = -1,   /* not a device tree */
	FDT_ERR_VERSION = -2, /* older than 16, or incompatible with 17 */
	FDT_ERR_LAYOUT = -3,  /* header offsets or sizes out of bounds */
	FDT_ERR_STRUCT = -4,  /* broken token stream */
	FDT_ERR_VALUE = -5,   /* a property we read has the wrong size */
};

/* What a node at depth 2 (a child of the root) is to us. */
enum node_kind {
	NODE_OTHER,
	NODE_CPUS,
	NODE_CHOSEN,
	NODE_MEMORY, /* the first memory node only */
};

struct fdt_walk {
	const uint8_t *blob;
	uint32_t pos;	     /* offset of the next token */
	uint32_t struct_end; /* 4-aligned end of the structure block */
	uint32_t strings_off;
	uint32_t strings_size;

	unsigned int depth; /* open nodes; the root is depth 1 */
	bool root_seen;
	bool memory_seen;
	enum node_kind top; /* kind of the open depth-2 node */

	uint32_t addr_cells, size_cells;
	const uint8_t *reg; /* the memory node's reg, decoded at the end */
	uint32_t reg_len;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Whether [off, off + len) fits below limit, without overflowing. */
static bool in_range(uint32_t off, uint32_t len, uint32_t limit)
{
	return off <= limit && len <= limit - off;
}

/* Whether a NUL ends the string at off before limit. */
static bool str_in_range(const uint8_t *blob, uint32_t off, uint32_t limit)
{
	return off < limit &&
	       strnlen((const char *)blob + off, limit - off) < limit - off;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static enum node_kind classify_top(struct fdt_walk *w, const char *name)
{
	if (strcmp(name, "cpus") == 0)
		return NODE_CPUS;
	if (strcmp(name, "chosen") == 0)
		return NODE_CHOSEN;
	if (!w->memory_seen &&
	    (strcmp(name, "memory") == 0 || starts_with(name, "memory@"))) {
		w->memory_seen = true;
		return NODE_MEMORY;
	}
	return NODE_OTHER;
}

static int walk_begin_node(struct fdt_walk *w, struct fdt_info *info)
{
	uint32_t name_off = w->pos + 4;
	const char *name = (const char *)w->blob + name_off;

	if (!str_in_range(w->blob, name_off, w->struct_end))
		return FDT_ERR_STRUCT;
	/* There is one root; nothing may follow its END_NODE but END. */
	if (w->depth == 0 && w->root_seen)
		return FDT_ERR_STRUCT;

	w->depth++;
	if (w->depth == 1)
		w->root_seen = true;
	else if (w->depth == 2)
		w->top = classify_top(w, name);
	else if (w->depth == 3 && w->top == NODE_CPUS &&
		 starts_with(name, "cpu@"))
		info->nr_harts++;

	/* The string and its NUL end below struct_end, which is aligned. */
	w->pos = ALIGN_UP(name_off + (uint32_t)strlen(name) + 1, 4U);
	return 0;
}

static int read_cells(const uint8_t *val, uint32_t len, uint32_t *out)
{
	if (len != 4)
		return FDT_ERR_VALUE;
	*out = be32(val);
	return 0;
}

/* Act on the properties of the nodes we care about, ignore the rest. */
static int use_prop(struct fdt_walk *w, struct fdt_info *info, const char *name,
		    const uint8_t *val, uint32_t len)
{
	if (w->depth == 1) {
		if (strcmp(name, "#address-cells") == 0)
			return read_cells(val, len, &w->addr_cells);
		if (strcmp(name, "#size-cells") == 0)
			return read_cells(val, len, &w->size_cells);
		return 0;
	}
	if (w->depth != 2)
		return 0;

	switch (w->top) {
	case NODE_CPUS:
		if (strcmp(name, "timebase-frequency") == 0)
			return read_cells(val, len, &info->timebase_hz);
		break;
	case NODE_CHOSEN:
		/* An empty value stands for ""; any other must end in NUL. */
		if (strcmp(name, "bootargs") == 0 && len > 0) {
			if (val[len - 1] != '\0')
				return FDT_ERR_VALUE;
			info->bootargs = (const char *)val;
		}
		break;
	case NODE_MEMORY:
		if (strcmp(name, "reg") == 0) {
			w->reg = val;
			w->reg_len = len;
		}
		break;
	case NODE_OTHER:
		break;
	}
	return 0;
}

static int walk_prop(struct fdt_walk *w, struct fdt_info *info)
{
	uint32_t len, nameoff, val_off;

	if (w->depth == 0 || !in_range(w->pos, 12, w->struct_end))
		return FDT_ERR_STRUCT;
	len = be32(w->blob + w->pos + 4);
	nameoff = be32(w->blob + w->pos + 8);
	val_off = w->pos + 12;

	if (!in_range(val_off, len, w->struct_end))
		return FDT_ERR_STRUCT;
	if (nameoff >= w->strings_size ||
	    !str_in_range(w->blob, w->strings_off + nameoff,
			  w->strings_off + w->strings_size))
		return FDT_ERR_STRUCT;

	w->pos = ALIGN_UP(val_off + len, 4U);
	return use_prop(w, info,
			(const char *)w->blob + w->strings_off + nameoff,
			w->blob + val_off, len);
}

/* Read a 1- or 2-cell number, the widths a 64-bit address can take. */
static uint64_t read_number(const uint8_t *p, uint32_t cells)
{
	uint64_t v = be32(p);

	if (cells == 2)
		v = v << 32 | be32(p + 4);
	return v;
}

/* Decode the first (address, size) pair of the memory node's reg. */
static int decode_memory(const struct fdt_walk *w, struct fdt_info *info)
{
	uint32_t ac = w->addr_cells, sc = w->size_cells;

	if (!w->reg)
		return 0;
	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return FDT_ERR_VALUE;
	if (w->reg_len < 4 * (ac + sc))
		return FDT_ERR_VALUE;
	info->mem_base = read_number(w->reg, ac);
	info->mem_size = read_number(w->reg + 4 * ac, sc);
	return 0;
}

static int walk_struct(struct fdt_walk *w, struct fdt_info *info)
{
	for (;;) {
		uint32_t token;
		int err = 0;

		if (!in_range(w->pos, 4, w->struct_end))
			return FDT_ERR_STRUCT;
		token = be32(w->blob + w->pos);

		switch (token) {
		case FDT_BEGIN_NODE:
			err = walk_begin_node(w, info);
			break;
		case FDT_END_NODE:
			if (w->depth == 0)
				return FDT_ERR_STRUCT;
			w->depth--;
			w->pos += 4;
			break;
		case FDT_PROP:
			err = walk_prop(w, info);
			break;
		case FDT_NOP:
			w->pos += 4;
			break;
		case FDT_END:
			if (w->depth != 0 || !w->root_seen)
				return FDT_ERR_STRUCT;
			return 0;
		default:
			return FDT_ERR_STRUCT;
		}
		if (err)
			return err;
	}
}

static int check_header(const uint8_t *blob, struct fdt_walk *w)
{
	uint32_t totalsize, version, struct_off, struct_size, rsvmap_off;

	if (be32(blob + HDR_MAGIC) != FDT_MAGIC)
		return FDT_ERR_MAGIC;
	totalsize = be32(blob + HDR_TOTALSIZE);
	if (totalsize < HDR_SIZE_V16)
		return FDT_ERR_LAYOUT;

	/*
	 * Version 17 readers can read any blob that says it is compatible
	 * with 17 or older; 16 lacks only size_dt_struct.
	 */
	version = be32(blob + HDR_VERSION);
	if (version < 16 || be32(blob + HDR_LAST_COMP) > 17)
		return FDT_ERR_VERSION;
	if (version >= 17 && totalsize < HDR_SIZE_V17)
		return FDT_ERR_LAYOUT;

	struct_off = be32(blob + HDR_OFF_STRUCT);
	if (struct_off % 4 != 0 || struct_off > totalsize)
		return FDT_ERR_LAYOUT;
	if (version >= 17)
		struct_size = be32(blob + HDR_SIZE_STRUCT);
	else
		struct_size = totalsize - struct_off;
	if (!in_range(struct_off, struct_size, totalsize))
		return FDT_ERR_LAYOUT;

	w->strings_off = be32(blob + HDR_OFF_STRINGS);
	w->strings_size = be32(blob + HDR_SIZE_STRINGS);
	if (!in_range(w->strings_off, w->strings_size, totalsize))
		return FDT_ERR_LAYOUT;

	rsvmap_off = be32(blob + HDR_OFF_RSVMAP);
	if (!in_range(rsvmap_off, RSVMAP_ENTRY_SIZE, totalsize))
		return FDT_ERR_LAYOUT;

	/*
	 * Tokens are 4-byte aligned, so a ragged tail cannot hold one; an
	 * aligned end also keeps ALIGN_UP() of any in-block offset inside
	 * the block.
	 */
	w->blob = blob;
	w->pos = struct_off;
	w->struct_end = struct_off + ALIGN_DOWN(struct_size, 4U);
	return 0;
}

int fdt_parse(const void *fdt, struct fdt_info *info)
{
	const uint8_t *blob = fdt;
	struct fdt_walk w;
	int err;

	memset(&w, 0, sizeof(w));
	/* The defaults the device tree specification gives the root. */
	w.addr_cells = 2;
	w.size_cells = 1;

	err = check_header(blob, &w);
	if (err)
		return err;

	info->blob = fdt;
	info->nr_harts = 0;
	info->mem_base = 0;
	info->mem_size = 0;
	info->timebase_hz = 0;
	info->bootargs = "";
	info->blob_size = be32(blob + HDR_TOTALSIZE);

	err = walk_struct(&w, info);
	if (err)
		return err;
	return decode_memory(&w, info);
}
