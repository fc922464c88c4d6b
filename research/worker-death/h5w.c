// A frame-file-like HDF5 writer: /frames/data (uint8, 1 MiB chunks, deflate 1), /frames/index
// (compound rows, 4096-row chunks), 4 KiB frames buffered to 8 MiB, as mpitray's FrameFileWriter.
// usage: h5w FILE MODE INTERVAL_S DURATION_S   MODE: none | flush | swmr
// Prints "checkpoint N" (frames safely on disk per the mode's promise) to stdout, line-buffered.
#include <hdf5.h>
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
typedef struct { uint64_t sequence; char stop; uint64_t offset, length; uint32_t checksum; } Row;
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static hid_t mkds(hid_t f,const char*name,hid_t type,hsize_t chunk){
  hsize_t z=0,u=H5S_UNLIMITED; hid_t s=H5Screate_simple(1,&z,&u); hid_t p=H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_chunk(p,1,&chunk); H5Pset_deflate(p,1); hid_t l=H5Pcreate(H5P_LINK_CREATE); H5Pset_create_intermediate_group(l,1);
  hid_t d=H5Dcreate2(f,name,type,s,l,p,H5P_DEFAULT); H5Sclose(s);H5Pclose(p);H5Pclose(l); return d;}
static void append(hid_t d,hid_t type,hsize_t at,hsize_t n,const void*buf){
  if(!n)return; hsize_t size=at+n; if(H5Dset_extent(d,&size)<0){fprintf(stderr,"extent\n");exit(3);}
  hid_t fs=H5Dget_space(d); H5Sselect_hyperslab(fs,H5S_SELECT_SET,&at,NULL,&n,NULL); hid_t ms=H5Screate_simple(1,&n,NULL);
  if(H5Dwrite(d,type,ms,fs,H5P_DEFAULT,buf)<0){fprintf(stderr,"write\n");exit(3);} H5Sclose(fs);H5Sclose(ms);}
static void sattr(hid_t o,const char*name,const char*v){hid_t t=H5Tcopy(H5T_C_S1);H5Tset_size(t,H5T_VARIABLE);hid_t s=H5Screate(H5S_SCALAR);
  if(H5Aexists(o,name)>0)H5Adelete(o,name); hid_t a=H5Acreate2(o,name,t,s,H5P_DEFAULT,H5P_DEFAULT);H5Awrite(a,t,&v);H5Aclose(a);H5Sclose(s);H5Tclose(t);}
int main(int argc,char**argv){
  const char*path=argv[1]; const char*mode=argv[2]; double interval=atof(argv[3]); double duration=atof(argv[4]);
  int swmr=!strcmp(mode,"swmr"), flush=!strcmp(mode,"flush")||swmr;
  setvbuf(stdout,NULL,_IOLBF,0);
  hid_t fapl=H5Pcreate(H5P_FILE_ACCESS); if(swmr) H5Pset_libver_bounds(fapl,H5F_LIBVER_LATEST,H5F_LIBVER_LATEST);
  hid_t f=H5Fcreate(path,H5F_ACC_TRUNC,H5P_DEFAULT,fapl);
  sattr(f,"status","writing"); sattr(f,"pipeline","some pipeline text\nmore text\n");
  hid_t rt=H5Tcreate(H5T_COMPOUND,sizeof(Row)); hid_t st=H5Tcopy(H5T_C_S1); H5Tset_size(st,1);
  H5Tinsert(rt,"sequence",HOFFSET(Row,sequence),H5T_NATIVE_UINT64); H5Tinsert(rt,"stop",HOFFSET(Row,stop),st);
  H5Tinsert(rt,"offset",HOFFSET(Row,offset),H5T_NATIVE_UINT64); H5Tinsert(rt,"length",HOFFSET(Row,length),H5T_NATIVE_UINT64);
  H5Tinsert(rt,"checksum",HOFFSET(Row,checksum),H5T_NATIVE_UINT32);
  hid_t data=mkds(f,"/frames/data",H5T_NATIVE_UINT8,1<<20), index=mkds(f,"/frames/index",rt,4096);
  if(swmr){ if(H5Fstart_swmr_write(f)<0){fprintf(stderr,"start_swmr failed\n");return 3;} }
  const size_t fb=4096, cap=8<<20; char*buf=malloc(cap+fb); size_t pend=0; Row*rows=malloc(sizeof(Row)*(cap/fb+2)); size_t prow=0;
  uint64_t frames=0, bytes_written=0, rows_written=0; char frame[4096]; double t0=now(), last=t0;
  srand(1);
  while(now()-t0<duration){
    for(size_t i=0;i<fb;i++) frame[i]=(char)((i*7+frames)&0x3f); memcpy(frame,&frames,8);
    if(pend+fb>cap){ append(data,H5T_NATIVE_UINT8,bytes_written,pend,buf); bytes_written+=pend; pend=0;
                     append(index,rt,rows_written,prow,rows); rows_written+=prow; prow=0; }
    Row r={frames,'P',bytes_written+pend,fb,(uint32_t)crc32(0,(const Bytef*)frame,fb)}; rows[prow++]=r; memcpy(buf+pend,frame,fb); pend+=fb; frames++;
    if(flush && now()-last>=interval){ last=now();
      append(data,H5T_NATIVE_UINT8,bytes_written,pend,buf); bytes_written+=pend; pend=0;
      append(index,rt,rows_written,prow,rows); rows_written+=prow; prow=0;
      if(swmr){ H5Dflush(data); H5Dflush(index); H5Fflush(f,H5F_SCOPE_GLOBAL);} else H5Fflush(f,H5F_SCOPE_GLOBAL);
      printf("checkpoint %llu\n",(unsigned long long)rows_written);
    }
  }
  append(data,H5T_NATIVE_UINT8,bytes_written,pend,buf); bytes_written+=pend; append(index,rt,rows_written,prow,rows); rows_written+=prow;
  H5Dclose(data);H5Dclose(index);
  if(swmr){ H5Fclose(f); f=H5Fopen(path,H5F_ACC_RDWR,fapl); }
  sattr(f,"status","complete"); H5Fclose(f);
  double el=now()-t0; printf("done %llu frames in %.2f s: %.0f frames/s, %.1f MB/s\n",(unsigned long long)frames,el,frames/el,frames*4096.0/el/1e6);
  return 0;}
