// Logs every catchable signal with a timestamp; one rank kills itself. Modes (argv[1]):
//  sleep: ranks sleep outside MPI;  poll: ranks MPI_Iprobe/MPI_Isend to the victim in a loop
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
static int fd = -1;
static double t0; static volatile sig_atomic_t got=0, term=0;
static double now(void){struct timespec ts;clock_gettime(CLOCK_REALTIME,&ts);return ts.tv_sec+ts.tv_nsec*1e-9;}
static void put(const char*s){ssize_t r=write(fd,s,strlen(s));(void)r;}
static void putnum(long v){char b[32];int i=31;b[i]=0;int neg=v<0;if(neg)v=-v;do{b[--i]='0'+v%10;v/=10;}while(v);if(neg)b[--i]='-';put(b+i);}
static void handler(int sig){got=1; if(sig==SIGTERM) term=1;struct timespec ts;clock_gettime(CLOCK_REALTIME,&ts);long ms=(long)((ts.tv_sec+ts.tv_nsec*1e-9-t0)*1000);put("t_ms=");putnum(ms);put(" signal ");putnum(sig);put(" (");put(strsignal(sig));put(")\n");}
static void logline(const char*s){char b[512];snprintf(b,sizeof b,"t_ms=%ld %s\n",(long)((now()-t0)*1000),s);put(b);}
int main(int argc,char**argv){
  const char*mode=argc>1?argv[1]:"sleep"; int victim=argc>2?atoi(argv[2]):2; double kill_at=argc>3?atof(argv[3]):2.0;
  MPI_Init(&argc,&argv); int rank,size; MPI_Comm_rank(MPI_COMM_WORLD,&rank); MPI_Comm_size(MPI_COMM_WORLD,&size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  t0 = atof(getenv("T0")?getenv("T0"):"0"); if(t0==0) t0=now();
  char path[256]; snprintf(path,sizeof path,"%s/rank%d.log",getenv("LOGDIR")?getenv("LOGDIR"):".",rank);
  fd=open(path,O_WRONLY|O_CREAT|O_TRUNC|O_APPEND,0644);
  struct sigaction a; memset(&a,0,sizeof a); a.sa_handler=handler; sigemptyset(&a.sa_mask); a.sa_flags=SA_RESTART;
  for(int s=1;s<32;s++) if(s!=SIGKILL&&s!=SIGSTOP) sigaction(s,&a,NULL);
  char b[256]; snprintf(b,sizeof b,"rank %d pid %d ppid %d start mode %s",rank,getpid(),getppid(),mode); logline(b);
  double start=now(); int buf=0, rbuf=0; long iters=0; int reported=0;
  double lastbeat=0;
  while(now()-start<60){
    if(got && now()-lastbeat>0.1){lastbeat=now(); logline("alive");}
    if(term && rank==0 && getenv("ON_TERM")){ const char*w=getenv("ON_TERM"); term=0;
      if(!strcmp(w,"exit1")){logline("exit(1) without finalize"); _exit(1);}
      if(!strcmp(w,"finalize")){logline("MPI_Finalize"); int rc=MPI_Finalize(); snprintf(b,sizeof b,"MPI_Finalize returned %d; exit 1",rc); logline(b); _exit(1);}
      if(!strcmp(w,"abort")){logline("MPI_Abort(1)"); MPI_Abort(MPI_COMM_WORLD,1); logline("MPI_Abort returned"); _exit(1);} }
    if(rank==0 && getenv("DETECT") && now()-start>kill_at+0.5){ logline("detected death (simulated side channel); exit 1 without finalize"); _exit(1);}
    if(rank==victim && now()-start>kill_at){ logline("killing myself"); kill(getpid(),SIGKILL);}
    if(!strcmp(mode,"poll") && rank==0){
      MPI_Request r; int rc=MPI_Isend(&buf,1,MPI_INT,victim,1,MPI_COMM_WORLD,&r);
      int done=0; double ws=now(); 
      while(!done && rc==MPI_SUCCESS){ rc=MPI_Test(&r,&done,MPI_STATUS_IGNORE); if(now()-ws>1.0) break; usleep(100);}
      if(rc!=MPI_SUCCESS && reported<5){char e[MPI_MAX_ERROR_STRING];int l;MPI_Error_string(rc,e,&l);snprintf(b,sizeof b,"MPI error to victim: %s",e);logline(b);reported++;}
      if(!done && reported<5 && now()-start>kill_at){snprintf(b,sizeof b,"send to victim not complete after 1 s (iter %ld)",iters);logline(b);reported++;}
      if(!done && rc==MPI_SUCCESS) { MPI_Request_free(&r);} 
      int flag=0; MPI_Status st; MPI_Iprobe(MPI_ANY_SOURCE,MPI_ANY_TAG,MPI_COMM_WORLD,&flag,&st);
      if(flag){MPI_Recv(&rbuf,1,MPI_INT,st.MPI_SOURCE,st.MPI_TAG,MPI_COMM_WORLD,MPI_STATUS_IGNORE);}
      iters++;
    } else if(!strcmp(mode,"poll")) {
      int flag=0; MPI_Status st; int rc=MPI_Iprobe(0,MPI_ANY_TAG,MPI_COMM_WORLD,&flag,&st);
      if(flag) MPI_Recv(&rbuf,1,MPI_INT,0,st.MPI_TAG,MPI_COMM_WORLD,MPI_STATUS_IGNORE);
      if(rc!=MPI_SUCCESS && reported<3){logline("Iprobe error");reported++;}
      usleep(200);
    } else usleep(10000);
  }
  logline("60 s passed, finalizing"); MPI_Finalize(); logline("finalized"); return 0;
}
